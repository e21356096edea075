package io.fleetwatch.bench;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * A thread-safe set of (device id, sequence number) pairs, with the count of additions that were already present.
 *
 * <p>The ingest benchmark and the gateway's fault tests use one set for what the publisher saw acknowledged and one
 * for what reached Kafka; comparing them gives the missing and duplicated messages.
 */
public final class SequenceSet {
  private final Map<String, BitSet> byDevice = new HashMap<>();
  private long distinct;
  private long additions;

  /** Adds one pair; returns {@code true} when it was not present yet. */
  public synchronized boolean add(String deviceId, long seq) {
    if (seq < 0 || seq > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("sequence number out of range: " + seq);
    }
    additions++;
    BitSet seqs = byDevice.computeIfAbsent(deviceId, d -> new BitSet());
    if (seqs.get((int) seq)) {
      return false;
    }
    seqs.set((int) seq);
    distinct++;
    return true;
  }

  public synchronized boolean contains(String deviceId, long seq) {
    BitSet seqs = byDevice.get(deviceId);
    return seqs != null && seq >= 0 && seq <= Integer.MAX_VALUE && seqs.get((int) seq);
  }

  /** Distinct pairs. */
  public synchronized long size() {
    return distinct;
  }

  /** Additions of a pair already present. */
  public synchronized long duplicates() {
    return additions - distinct;
  }

  /** How many pairs of {@code this} are not in {@code other}. */
  public long missingFrom(SequenceSet other) {
    Map<String, BitSet> mine = snapshot();
    Map<String, BitSet> theirs = other.snapshot();
    long missing = 0;
    for (Map.Entry<String, BitSet> e : mine.entrySet()) {
      BitSet left = (BitSet) e.getValue().clone();
      BitSet present = theirs.get(e.getKey());
      if (present != null) {
        left.andNot(present);
      }
      missing += left.cardinality();
    }
    return missing;
  }

  /** Up to {@code limit} pairs of {@code this} not in {@code other}, as {@code device#seq}, for failure messages. */
  public String sampleMissingFrom(SequenceSet other, int limit) {
    Map<String, BitSet> mine = snapshot();
    Map<String, BitSet> theirs = other.snapshot();
    StringBuilder sample = new StringBuilder();
    int listed = 0;
    for (Map.Entry<String, BitSet> e : new java.util.TreeMap<>(mine).entrySet()) {
      BitSet left = (BitSet) e.getValue().clone();
      BitSet present = theirs.get(e.getKey());
      if (present != null) {
        left.andNot(present);
      }
      for (int i = left.nextSetBit(0); i >= 0 && listed < limit; i = left.nextSetBit(i + 1)) {
        sample.append(listed == 0 ? "" : ", ").append(e.getKey()).append('#').append(i);
        listed++;
      }
    }
    return sample.toString();
  }

  private synchronized Map<String, BitSet> snapshot() {
    Map<String, BitSet> copy = new HashMap<>();
    byDevice.forEach((device, seqs) -> copy.put(device, (BitSet) seqs.clone()));
    return copy;
  }
}
