package io.meshwork.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code meshwork demo}: will start the voting app inside the mesh (control plane, sidecars, gateway,
 * console). Until the pieces land it says what exists today instead of pretending.
 */
@Command(name = "demo", description = "Run the voting app inside the mesh (not available yet: see README).")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(1, "the demo is not there yet: the proxy, control plane and voting app are being built"
        + " (see README.md, 'Status'); today you can run 'meshwork validate -f FILE' and 'meshwork analyze -f FILE'");
  }
}
