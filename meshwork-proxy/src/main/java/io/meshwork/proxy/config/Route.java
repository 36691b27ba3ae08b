package io.meshwork.proxy.config;

/** One route of a virtual host: a match, an action, and header mutations at route level. */
public record Route(String name, RouteMatch match, RouteAction action, HeaderMutations requestHeaders,
    HeaderMutations responseHeaders) {}
