/**
 * JUnit 5 support shared by every module's tests: {@link io.meshwork.testing.LeakDetectionExtension}
 * turns a Netty buffer leak into a failed test, and {@link io.meshwork.testing.FakeUpstream} is an
 * HTTP/1.1 server on port 0 whose replies a test scripts and whose requests it inspects.
 */
package io.meshwork.testing;
