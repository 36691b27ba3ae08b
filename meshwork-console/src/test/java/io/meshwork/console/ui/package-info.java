/** Browser tests of the web UI in headless chromium. */
package io.meshwork.console.ui;
