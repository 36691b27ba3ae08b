/**
 * RequestAuthentication: JWTs found in headers, query parameters or cookies are verified with
 * nimbus-jose-jwt against inline JWKS or a fetched, cached and refreshed {@code jwksUri}. A
 * valid token yields the request principal ({@code iss/sub}) and claims for authorization; an
 * invalid one is a 401; a request without a token passes unauthenticated.
 */
package io.meshwork.security.jwt;
