package org.udpknock.fleet;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/** One sentence for a store failure, for {@code grant-store-lost}: what happened, what to check. */
final class StoreFailure {
  private static final int MAX_DETAIL = 160;

  private StoreFailure() {}

  /** E.g. "the grant store redis://10.0.0.5:6379/0 is unreachable (Connection refused); granting locally, retrying". */
  static String describe(String store, Throwable failure, int timeoutMillis) {
    return "the grant store " + store + " " + what(failure, timeoutMillis) + "; granting locally, retrying";
  }

  private static String what(Throwable failure, int timeoutMillis) {
    if (isAuthFailure(failure)) {
      return "refused the password (" + detail(failure) + "): check grant_store_password_file and the user in grant_store";
    }
    Throwable root = rootCause(failure);
    if (find(failure, SSLException.class) != null) {
      return "failed the TLS handshake (" + detail(root) + "): check grant_store_ca_file and the server's certificate and name";
    }
    if (root instanceof ConnectException) {
      return "is unreachable (" + detail(root) + ")";
    }
    if (root instanceof SocketTimeoutException) {
      return "did not answer within " + timeoutMillis + " ms";
    }
    if (String.valueOf(root.getMessage()).contains("Unexpected end of stream")) {
      return "closed the connection (stopped or restarted?)"; // Jedis's words for an EOF.
    }
    if (root instanceof UnknownHostException) {
      return "has a host name that does not resolve (" + detail(root) + ")";
    }
    return "failed (" + detail(root) + ")";
  }

  /** Redis's answers to a wrong or missing password (Redis 6+ ACLs, and the older form). */
  private static boolean isAuthFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (message.startsWith("WRONGPASS") || message.startsWith("NOAUTH") || message.contains("invalid password")
          || message.contains("AUTH <password> called without any password configured")) {
        return true;
      }
    }
    return false;
  }

  /** The deepest cause; Jedis reports each address it failed to connect to as a suppressed exception, the first of which is taken. */
  private static Throwable rootCause(Throwable failure) {
    Throwable root = failure;
    for (int depth = 0; depth < 16; depth++) {
      Throwable next = root.getCause() != null ? root.getCause()
          : root.getSuppressed().length > 0 ? root.getSuppressed()[0] : null;
      if (next == null) {
        break;
      }
      root = next;
    }
    return root;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** The message on one line, bounded: some JSSE messages run long. */
  private static String detail(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    message = message.replaceAll("\\s+", " ").strip();
    return message.length() <= MAX_DETAIL ? message : message.substring(0, MAX_DETAIL) + "...";
  }
}
