package org.udpknock.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import picocli.CommandLine.Model.CommandSpec;

final class KeygenCommand implements Callable<Integer> {
  static final Specs.Usage USAGE = new Specs.Usage("keygen",
      "Write a new random key for authenticated knocks (--secret-file) into FILE, created with mode 0600.",
      "", "The key is 32 bytes from SecureRandom, as one line of 64 hex digits, followed by a"
          + " line 'server-id NAME'. An existing file is never overwritten.",
      "Exit codes: 0 written, 1 not written, 2 bad usage.");

  final CommandSpec spec = Specs.command(this, USAGE);
  String file;
  String serverId;

  KeygenCommand() {
    spec.addPositional(Specs.parameter(String.class, value -> file = value, "0", "1").paramLabel("FILE")
        .description("The new key file; it must not exist.").build());
    spec.addOption(Specs.option(String.class, value -> serverId = value, "--server-id").paramLabel("NAME")
        .description("The id of the server this key is for, written in the file; the tag of every knock"
            + " covers it. Default: 16 random hex digits, so two key files never share one.").build());
  }

  @Override
  public Integer call() {
    if (file.isEmpty()) {
      throw new UserError(ExitCodes.USAGE, "FILE is empty; give the path of the new key file, e.g."
          + " udpknock keygen /etc/udpknock/knock.key");
    }
    if (serverId != null && !ServerId.isValid(serverId)) {
      throw new UserError(ExitCodes.USAGE, "--server-id must be 1-" + ServerId.MAX_LENGTH
          + " printable ASCII characters without spaces, not '" + serverId + "'.");
    }
    SecureRandom random = new SecureRandom();
    ServerId id = serverId == null ? ServerId.random(random) : ServerId.of(serverId);
    create(pathOf(file), id, random);
    spec.commandLine().getOut().println("wrote a new key for server-id " + id + " to " + file
        + " (mode 0600); copy it to the server and its clients over a secure channel");
    return ExitCodes.OK;
  }

  private static Path pathOf(String name) {
    try {
      return Path.of(name);
    } catch (InvalidPathException e) {
      throw new UserError(ExitCodes.USAGE, "'" + name + "' is not a valid path (" + e.getReason()
          + "); give the path of the new key file");
    }
  }

  private static void create(Path path, ServerId id, SecureRandom random) {
    try {
      KeyFile.create(path, id, random);
    } catch (FileAlreadyExistsException e) {
      throw new UserError(ExitCodes.FAILURE, Files.isDirectory(path)
          ? path + " is a directory; give the path of a new file in it, e.g. " + path.resolve("knock.key")
          : path + " already exists; keygen never overwrites a key: remove it first or choose another name");
    } catch (UnsupportedOperationException e) {
      throw new UserError(ExitCodes.FAILURE, "cannot create " + path + " with mode 0600 on this file"
          + " system; write it on a POSIX file system");
    } catch (IOException e) {
      throw new UserError(ExitCodes.FAILURE, "cannot create " + path + " (" + e.getMessage()
          + "); check that its directory exists and is writable");
    }
  }
}
