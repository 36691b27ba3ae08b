/** The choice of Netty transport (epoll when the native library loads, NIO otherwise) and socket options. */
package io.meshwork.proxy.transport;
