package org.udpknock.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.udpknock.auth.KeyFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "keygen", mixinStandardHelpOptions = true,
    description = "Write a new random key for authenticated knocks (--secret-file) into FILE, created with mode 0600.",
    footer = {"", "The key is 32 bytes from SecureRandom, as one line of 64 hex digits. An existing"
        + " file is never overwritten.", "Exit codes: 0 written, 1 not written, 2 bad usage."})
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The new key file; it must not exist.")
  Path file;

  @Override
  public Integer call() {
    try {
      KeyFile.create(file, new SecureRandom());
    } catch (FileAlreadyExistsException e) {
      throw new UserError(ExitCodes.FAILURE, file + " already exists; keygen never overwrites a key:"
          + " remove it first or choose another name");
    } catch (UnsupportedOperationException e) {
      throw new UserError(ExitCodes.FAILURE, "cannot create " + file + " with mode 0600 on this file"
          + " system; write it on a POSIX file system");
    } catch (IOException e) {
      throw new UserError(ExitCodes.FAILURE, "cannot create " + file + " (" + e.getMessage()
          + "); check that its directory exists and is writable");
    }
    spec.commandLine().getOut().println("wrote a new key to " + file + " (mode 0600); copy it to the"
        + " server and its clients over a secure channel");
    return ExitCodes.OK;
  }
}
