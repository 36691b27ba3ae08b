/**
 * The PostgreSQL side shared by worker and result: connection settings, the {@code votes}
 * table, and a connection that is dropped and re-opened after any failure.
 */
package io.meshwork.samples.voting.db;
