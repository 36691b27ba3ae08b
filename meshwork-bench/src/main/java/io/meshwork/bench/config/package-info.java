/** The configuration model's parse + validate throughput. */
package io.meshwork.bench.config;
