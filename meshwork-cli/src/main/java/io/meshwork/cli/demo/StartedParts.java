package io.meshwork.cli.demo;

import java.io.PrintStream;
import java.util.Deque;

/** Stopping what a demo started, shared by the mesh/routing demo and the transparent one. */
final class StartedParts {
  private StartedParts() {}

  /**
   * Closes every part in {@code started}, newest first, taking each under the deque's lock so that
   * parts still being added by a starting thread are closed too; a failure is reported on
   * {@code out} and does not stop the rest.
   */
  static void closeAll(Deque<AutoCloseable> started, PrintStream out) {
    while (true) {
      AutoCloseable c;
      synchronized (started) {
        if (started.isEmpty()) {
          return;
        }
        c = started.pop();
      }
      try {
        c.close();
      } catch (Exception e) {
        out.println("demo: stopping " + c.getClass().getSimpleName() + ": " + e.getMessage());
      }
    }
  }
}
