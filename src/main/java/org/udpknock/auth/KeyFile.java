package org.udpknock.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * A key file: the 32 key bytes as one line of 64 lowercase hex digits and a newline. Hex, not
 * base64: it is what {@code openssl rand -hex 32} writes, and it is easy to check by eye.
 *
 * <p>A key readable or writable by anyone but its owner is refused: whoever reads it can knock,
 * and whoever writes it can lock everyone out.
 */
public final class KeyFile {
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
  private static final int MAX_FILE_BYTES = 1024;

  private KeyFile() {}

  /** A key file that cannot be used; the message is one sentence saying what to do. */
  public static final class KeyFileException extends Exception {
    KeyFileException(String message) {
      super(message);
    }
  }

  /** Reads a key, after checking that only its owner may read or write the file. */
  public static KnockKey read(Path file) throws KeyFileException {
    checkPermissions(file);
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw illFormed(file);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw missing(file);
    } catch (AccessDeniedException e) {
      throw new KeyFileException(file + " is not readable by this user; run as its owner or fix its owner");
    } catch (IOException e) {
      throw new KeyFileException(file + " could not be read (" + e.getMessage() + "); check the path");
    }
    String text = new String(bytes, StandardCharsets.US_ASCII).strip();
    if (!text.matches("[0-9a-fA-F]{" + 2 * KnockKey.LENGTH + "}")) {
      throw illFormed(file);
    }
    return new KnockKey(HexFormat.of().parseHex(text));
  }

  private static void checkPermissions(Path file) throws KeyFileException {
    if (Files.isDirectory(file)) {
      throw new KeyFileException(file + " is a directory; give the path of a key file written by 'udpknock keygen'");
    }
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return; // Not a POSIX file system: there are no group and other bits to check.
    }
    Set<PosixFilePermission> permissions;
    try {
      permissions = view.readAttributes().permissions();
    } catch (NoSuchFileException e) {
      throw missing(file);
    } catch (IOException e) {
      throw new KeyFileException(file + " could not be read (" + e.getMessage() + "); check the path");
    }
    permissions.retainAll(GROUP_OR_OTHERS);
    if (!permissions.isEmpty()) {
      throw new KeyFileException("key file " + file + " is readable or writable by group or others;"
          + " run: chmod 600 " + file);
    }
  }

  private static KeyFileException missing(Path file) {
    return new KeyFileException("key file " + file + " does not exist; create one with: udpknock keygen " + file);
  }

  private static KeyFileException illFormed(Path file) {
    return new KeyFileException(file + " does not hold a key: it must be one line of 64 hex digits,"
        + " as written by 'udpknock keygen'");
  }

  /**
   * Writes a new random key into a new file created with mode 0600 in the same system call
   * (O_CREAT|O_EXCL with the mode), so it is never readable by others, not even for an instant.
   *
   * @throws FileAlreadyExistsException when {@code file} exists: a key is never overwritten
   */
  public static void create(Path file, SecureRandom random) throws IOException {
    byte[] key = new byte[KnockKey.LENGTH];
    random.nextBytes(key);
    byte[] line = (HexFormat.of().formatHex(key) + "\n").getBytes(StandardCharsets.US_ASCII);
    try (SeekableByteChannel channel = Files.newByteChannel(file,
        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer buffer = ByteBuffer.wrap(line);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }
}
