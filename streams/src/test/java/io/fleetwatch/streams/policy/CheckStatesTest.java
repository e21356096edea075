package io.fleetwatch.streams.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;

import io.fleetwatch.avro.CheckState;
import io.fleetwatch.avro.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

class CheckStatesTest {
  private static final Instant T0 = Instant.parse("2025-11-25T10:00:00Z");

  @Test
  void copyCarriesEveryFieldOfTheSchemaAndSharesNoSampleList() {
    // Given a state where every field differs from its default (fails here when the schema gains a field)
    CheckState state = CheckState.newBuilder().setActive(true).setBreachCount(2).setBreachSince(T0).setOkCount(3)
        .setOkSince(T0.plusSeconds(1)).setLastEventTime(T0.plusSeconds(2)).setRuleType("envelope")
        .setSamples(new ArrayList<>(List.of(new Sample(T0, 1.5, "k")))).setLow(1.0).setHigh(2.0)
        .setReference("ref").setLastSeq(7L).setArmedAt(T0.plusSeconds(3)).build();
    CheckState defaults = CheckState.newBuilder().setActive(false).build();
    for (Schema.Field field : CheckState.getClassSchema().getFields()) {
      assertNotEquals(defaults.get(field.pos()), state.get(field.pos()),
          "set field " + field.name() + " in this test, and copy it in CheckStates.copy");
    }
    // When copied
    CheckState copy = CheckStates.copy(state);
    // Then every field is equal, and changing the copy's samples leaves the original alone
    assertEquals(0, SpecificData.get().compare(state, copy, CheckState.getClassSchema()));
    assertEquals(state, copy);
    assertNotSame(state.getSamples(), copy.getSamples());
    copy.getSamples().clear();
    assertEquals(1, state.getSamples().size());
  }
}
