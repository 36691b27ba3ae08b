/**
 * A small RESP2 client for the handful of Redis commands the voting app sends (AUTH, PING,
 * RPUSH, LPOP, BLPOP, LLEN), and the wire codec it shares with the embedded stand-in server.
 */
package io.meshwork.samples.voting.redis;
