/** Tests of the console against a real in-process control plane and proxy. */
package io.meshwork.console.control;
