package org.udpknock.action;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.udpknock.core.Addresses;
import org.udpknock.door.Commands;

/**
 * A door's commands around its main action (greet, forward, nftables, or {@link NoAction} for
 * {@code action = "none"}): {@code on_open} runs when a source is granted, {@code on_close} when
 * that grant ends, on a {@link CommandRunner}, never on the calling thread.
 *
 * <p><b>Once per grant.</b> A renewal ({@code opened} again for a source already open) runs
 * nothing: an {@code on_open} such as {@code iptables -I ...} would otherwise insert the same rule
 * again on every knock, and one {@code on_close} would leave the others behind (knockd issues #14,
 * #19). So each {@code on_open} is matched by exactly one {@code on_close}, run after it.
 *
 * <p><b>{@code %IP%}</b> is the source as the core's key formats it: IPv4 dotted, IPv6 in RFC 5952
 * form; a link-local source is written without its {@code %interface} ({@code fe80::1}), the form
 * {@code nft}, {@code iptables} and {@code ip} accept (events still show the interface).
 * Nothing else from a packet reaches a command.
 *
 * <p>At {@link #close} (stop, or a reload that removes the door without ending its grants first),
 * {@code on_close} runs for every source still open, so no rule of an {@code on_open} is left
 * behind by a stopped daemon.
 */
public final class CommandAction implements DoorAction {
  private final String door;
  private final int port;
  private final CommandTemplate onOpen;
  private final CommandTemplate onClose;
  private final long timeoutNanos;
  private final DoorAction main;
  private final CommandRunner runner;
  private final CommandListener listener;
  private final boolean everywhere;
  private final Set<Source> open = ConcurrentHashMap.newKeySet();

  private record Source(long hi, long lo) {}

  /**
   * @param door the door's name, for {@code %DOOR%} and events
   * @param port the door's port, for {@code %PORT%} (0 for none)
   * @param commands the door's on_open, on_close and time limit
   * @param main the door's main action, called first for every hook
   * @param runner runs the commands (one per server is enough; it serializes per door and source)
   * @param listener told of commands refused before they ran (the runner reports the rest)
   * @param everywhere whether grants made by other hosts of a fleet run the commands here too
   */
  public CommandAction(String door, int port, Commands commands, DoorAction main, CommandRunner runner,
      CommandListener listener, boolean everywhere) {
    this.door = door;
    this.port = port;
    this.onOpen = new CommandTemplate(commands.onOpen());
    this.onClose = new CommandTemplate(commands.onClose());
    this.timeoutNanos = commands.timeoutNanos();
    this.main = main;
    this.runner = runner;
    this.listener = listener;
    this.everywhere = everywhere;
    onOpen.render("::1", door, port); // refuses a bad door name or port now, not at the first grant
  }

  @Override
  public void start() throws ActionException {
    main.start();
  }

  @Override
  public void opened(long sourceHi, long sourceLo, long expiresAtNanos) {
    main.opened(sourceHi, sourceLo, expiresAtNanos);
    runOnOpen(sourceHi, sourceLo);
  }

  /** The main action's kernel part, on the capture thread; the commands always wait for the action thread. */
  @Override
  public boolean openingInKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
    main.openingInKernel(sourceHi, sourceLo, expiresAtNanos);
    return true;
  }

  @Override
  public void openedAfterKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
    main.openedAfterKernel(sourceHi, sourceLo, expiresAtNanos);
    runOnOpen(sourceHi, sourceLo);
  }

  private void runOnOpen(long sourceHi, long sourceLo) {
    if (open.add(new Source(sourceHi, sourceLo))) {
      run(Command.Hook.ON_OPEN, onOpen, sourceHi, sourceLo);
    }
  }

  /**
   * Another host's grant: the main action opens; the commands run only with {@code commands =
   * "all"}. Otherwise the source is not counted open here, so its end runs no on_close either,
   * unless a knock seen here opens it too.
   */
  @Override
  public void openedElsewhere(long sourceHi, long sourceLo, long expiresAtNanos) {
    if (everywhere) {
      opened(sourceHi, sourceLo, expiresAtNanos);
    } else {
      main.openedElsewhere(sourceHi, sourceLo, expiresAtNanos);
    }
  }

  @Override
  public void closed(long sourceHi, long sourceLo) {
    main.closed(sourceHi, sourceLo);
    if (open.remove(new Source(sourceHi, sourceLo))) {
      run(Command.Hook.ON_CLOSE, onClose, sourceHi, sourceLo);
    }
  }

  @Override
  public void close() {
    for (Source source : new ArrayList<>(open)) {
      if (open.remove(source)) {
        run(Command.Hook.ON_CLOSE, onClose, source.hi(), source.lo());
      }
    }
    main.close();
  }

  private void run(Command.Hook hook, CommandTemplate template, long sourceHi, long sourceLo) {
    if (template.isEmpty()) {
      return;
    }
    List<String> arguments;
    try {
      arguments = template.render(commandAddress(sourceHi, sourceLo), door, port);
    } catch (IllegalArgumentException e) {
      listener.refused(door, hook, sourceHi, sourceLo, e.getMessage());
      return;
    }
    runner.submit(new Command(door, hook, sourceHi, sourceLo, arguments, timeoutNanos));
  }

  /** {@code %IP%}: the key's text, a link-local address without its interface. */
  static String commandAddress(long sourceHi, long sourceLo) {
    long hi = Addresses.isScoped(sourceHi) ? Addresses.LINK_LOCAL_HI : sourceHi;
    return Addresses.format(hi, sourceLo);
  }
}
