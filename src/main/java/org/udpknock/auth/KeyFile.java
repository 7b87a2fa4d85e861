package org.udpknock.auth;

import com.sun.security.auth.module.UnixSystem;
import java.io.IOException;
import java.io.InputStream;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A key file: the 32 key bytes as one line of 64 lowercase hex digits, then, optionally, a line
 * {@code server-id NAME} naming the server the key is used for ({@link ServerId}). Hex, not
 * base64: it is what {@code openssl rand -hex 32} writes, and it is easy to check by eye.
 *
 * <p>Checked as ssh checks its keys: the file must be a regular file owned by this user (or
 * root), with no permission bit for group or others (mode 0600), in directories that no one else can write
 * (unless sticky, as /tmp): whoever reads it can knock, and whoever writes it, or swaps it, can
 * lock everyone out or let themselves in. At most {@value #MAX_FILE_BYTES} bytes are read.
 */
public final class KeyFile {
  private static final int GROUP_OR_OTHERS = 0077;
  private static final int MAX_FILE_BYTES = 1024;
  private static final int GROUP_OR_OTHERS_WRITE = 0022;
  private static final int STICKY = 01000;
  private static final String SERVER_ID_KEYWORD = "server-id";

  private KeyFile() {}

  /** A key file that cannot be used; the message is one sentence saying what to do. */
  public static final class KeyFileException extends Exception {
    KeyFileException(String message) {
      super(message);
    }
  }

  /** What a key file holds: the key, and the server id of its second line, or null without one. */
  public record Contents(KnockKey key, ServerId serverId) {}

  /** Reads a key file, after checking what it is, who owns it and who may change it. */
  public static Contents read(Path file) throws KeyFileException {
    checkFile(file, KEY);
    return parse(file, readBounded(file, KEY));
  }

  /**
   * A secret that is not a knock key (a Redis password): the same checks of owner, mode and
   * directories as a key file's, then its first line, stripped.
   */
  public static String readSecretLine(Path file) throws KeyFileException {
    checkFile(file, PASSWORD);
    String text = new String(readBounded(file, PASSWORD), StandardCharsets.UTF_8);
    String line = text.lines().findFirst().orElse("").strip();
    if (line.isEmpty()) {
      throw new KeyFileException("password file " + file + " is empty; write the password on its first line");
    }
    return line;
  }

  /** What a checked file is called in messages, and how to make one. */
  private record Kind(String noun, String what, String create) {}

  private static final Kind KEY = new Kind("key file", "key file written by 'udpknock keygen'", "create one with: udpknock keygen ");
  private static final Kind PASSWORD = new Kind("password file", "file holding the password",
      "write the password on its first line, then run chmod 600 on it: ");

  private static byte[] readBounded(Path file, Kind kind) throws KeyFileException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        throw illFormed(file);
      }
      return bytes;
    } catch (NoSuchFileException e) {
      throw missing(file, kind);
    } catch (AccessDeniedException e) {
      throw new KeyFileException(file + " is not readable by this user; run as its owner or fix its owner");
    } catch (IOException e) {
      throw new KeyFileException(file + " could not be read (" + e.getMessage() + "); check the path");
    }
  }

  private static Contents parse(Path file, byte[] bytes) throws KeyFileException {
    List<String> lines = new String(bytes, StandardCharsets.US_ASCII).lines()
        .map(String::strip).filter(line -> !line.isEmpty()).toList();
    boolean keyLine = !lines.isEmpty() && lines.get(0).matches("[0-9a-fA-F]{" + 2 * KnockKey.LENGTH + "}");
    if (!keyLine || lines.size() > 2) {
      throw illFormed(file);
    }
    KnockKey key = new KnockKey(HexFormat.of().parseHex(lines.get(0)));
    return new Contents(key, lines.size() == 2 ? parseServerId(file, lines.get(1)) : null);
  }

  private static ServerId parseServerId(Path file, String line) throws KeyFileException {
    String[] words = line.split("\\s+");
    if (words.length != 2 || !words[0].equals(SERVER_ID_KEYWORD) || !ServerId.isValid(words[1])) {
      throw new KeyFileException(file + " has an ill-formed second line: it must be 'server-id NAME',"
          + " NAME being 1-" + ServerId.MAX_LENGTH + " printable ASCII characters without spaces");
    }
    return ServerId.of(words[1]);
  }

  private static void checkFile(Path file, Kind kind) throws KeyFileException {
    if (Files.isDirectory(file)) {
      throw new KeyFileException(file + " is a directory; give the path of a " + kind.what());
    }
    if (!Files.exists(file)) {
      throw missing(file, kind);
    }
    if (!Files.isRegularFile(file)) {
      throw new KeyFileException(file + " is not a regular file (a FIFO, device or socket);"
          + " give the path of a " + kind.what());
    }
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return; // Not a POSIX file system: there are no owners and modes to check.
    }
    try {
      checkOwner(file, kind);
      checkPermissions(file, kind);
      checkDirectories(file, kind);
    } catch (NoSuchFileException e) {
      throw missing(file, kind);
    } catch (IOException e) {
      throw new KeyFileException(file + " could not be read (" + e.getMessage() + "); check the path");
    }
  }

  private static void checkOwner(Path file, Kind kind) throws IOException, KeyFileException {
    long owner = ((Number) Files.getAttribute(file, "unix:uid")).longValue();
    long self = new UnixSystem().getUid();
    if (owner != self && owner != 0) {
      throw new KeyFileException(kind.noun() + " " + file + " belongs to another user (uid " + owner
          + "); make it yours: chown " + System.getProperty("user.name") + " " + file);
    }
  }

  /** No bit for group or others, not even execute: mode 0600 or 0400, as ssh wants its keys. */
  private static void checkPermissions(Path file, Kind kind) throws IOException, KeyFileException {
    int mode = ((Number) Files.getAttribute(file, "unix:mode")).intValue() & 07777;
    if ((mode & GROUP_OR_OTHERS) != 0) {
      throw new KeyFileException(kind.noun() + " " + file + " has mode " + String.format("%04o", mode)
          + ", which gives group or others access; run: chmod 600 " + file);
    }
  }

  /** Every directory above the file, as named and as resolved: none writable by others unless sticky. */
  private static void checkDirectories(Path file, Kind kind) throws IOException, KeyFileException {
    Set<Path> directories = new LinkedHashSet<>();
    for (Path start : List.of(file.toAbsolutePath().normalize(), file.toRealPath())) {
      for (Path directory = start.getParent(); directory != null; directory = directory.getParent()) {
        directories.add(directory);
      }
    }
    for (Path directory : directories) {
      int mode = ((Number) Files.getAttribute(directory, "unix:mode")).intValue();
      if ((mode & GROUP_OR_OTHERS_WRITE) != 0 && (mode & STICKY) == 0) {
        throw new KeyFileException(kind.noun() + " " + file + " is in " + directory + ", which group or others"
            + " can write (so they could swap the key); run: chmod go-w " + directory);
      }
    }
  }

  private static KeyFileException missing(Path file, Kind kind) {
    return new KeyFileException(kind.noun() + " " + file + " does not exist; " + kind.create() + file);
  }

  private static KeyFileException illFormed(Path file) {
    return new KeyFileException(file + " does not hold a key: it must be one line of 64 hex digits"
        + " and a line 'server-id NAME', as written by 'udpknock keygen'");
  }

  /**
   * Writes a new random key and the line {@code server-id SERVER} into a new file created with
   * mode 0600 in the same system call (O_CREAT|O_EXCL with the mode), so it is never readable by
   * others, not even for an instant.
   *
   * @throws FileAlreadyExistsException when {@code file} exists: a key is never overwritten
   */
  public static void create(Path file, ServerId server, SecureRandom random) throws IOException {
    byte[] key = new byte[KnockKey.LENGTH];
    random.nextBytes(key);
    byte[] line = (HexFormat.of().formatHex(key) + "\n" + SERVER_ID_KEYWORD + " " + server + "\n")
        .getBytes(StandardCharsets.US_ASCII);
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
