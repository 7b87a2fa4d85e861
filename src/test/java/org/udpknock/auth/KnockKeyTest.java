package org.udpknock.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KnockKeyTest {
  private static byte[] bytes(int fill) {
    byte[] key = new byte[KnockKey.LENGTH];
    Arrays.fill(key, (byte) fill);
    return key;
  }

  /** Was: keys had identity equality, so a reload saw every authenticated door as changed. */
  @Test
  void keysWithTheSameBytesAreEqualSoAReloadKeepsTheirDoor() {
    assertEquals(new KnockKey(bytes(7)), new KnockKey(bytes(7)));
    assertEquals(new KnockKey(bytes(7)).hashCode(), new KnockKey(bytes(7)).hashCode());
    byte[] other = bytes(7);
    other[31] = 8;
    assertNotEquals(new KnockKey(bytes(7)), new KnockKey(other));
  }

  @Test
  void neverPrintsItsBytes() {
    assertFalse(new KnockKey(bytes(0x41)).toString().contains("41"));
  }
}
