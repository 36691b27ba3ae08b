/** TLS termination: Netty {@code SslContext}s built from listener TLS configs, cached per config. */
package io.meshwork.proxy.tls;
