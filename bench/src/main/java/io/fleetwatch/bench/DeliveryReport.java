package io.fleetwatch.bench;

/**
 * What one load run delivered: messages published, acknowledged to the publisher, records in Kafka (with
 * duplicates), distinct messages in Kafka, duplicates, and acknowledged messages missing from Kafka.
 *
 * @param label what ran
 * @param sent messages handed to the MQTT client
 * @param acknowledged messages the broker acknowledged (PUBACK) to the publisher; for QoS 0, written to the socket
 * @param inKafka records in Kafka, duplicates included
 * @param distinct distinct (device, seq) pairs in Kafka
 * @param duplicates records in Kafka beyond the first of their (device, seq)
 * @param missing acknowledged messages not in Kafka
 * @param reordered messages that reached Kafka after a later message of the same device
 * @param missingSample a few of the missing ones, {@code device#seq}
 */
public record DeliveryReport(String label, long sent, long acknowledged, long inKafka, long distinct, long duplicates,
    long missing, long reordered, String missingSample) {

  /** One line: {@code label: sent=.. acknowledged=.. inKafka=.. duplicates=.. missing=..}. */
  @Override
  public String toString() {
    return label + ": sent=" + sent + " acknowledged=" + acknowledged + " inKafka=" + inKafka + " distinct=" + distinct
        + " duplicates=" + duplicates + " missing=" + missing + " reordered=" + reordered + (missing > 0 ? " (e.g. " + missingSample + ")" : "");
  }
}
