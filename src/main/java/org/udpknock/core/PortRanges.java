package org.udpknock.core;

import java.util.ArrayList;
import java.util.List;

/** Inclusive port ranges {@code {low, high}}, as the capture filter and the scan guard use them. */
public final class PortRanges {
  private PortRanges() {}

  /** Sorted, with overlapping and adjacent ranges merged; the given arrays are not changed. */
  public static List<int[]> merged(List<int[]> ranges) {
    List<int[]> sorted = new ArrayList<>(ranges);
    sorted.sort((a, b) -> Integer.compare(a[0], b[0]));
    List<int[]> merged = new ArrayList<>();
    for (int[] range : sorted) {
      int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && range[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], range[1]);
      } else {
        merged.add(range.clone());
      }
    }
    return merged;
  }
}
