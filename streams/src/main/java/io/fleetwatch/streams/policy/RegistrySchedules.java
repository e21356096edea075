package io.fleetwatch.streams.policy;

import io.fleetwatch.avro.ApprovedChange;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.MaintenanceWindow;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * What the registry schedules for an asset, as the rules ask it: whether a device event time falls in one of its
 * maintenance windows (SEC-16) and whether a firmware change is approved (SEC-08). Inputs are the {@link Asset}
 * record (windows and approvals of the device, of its site and of its registered model, expanded by the registry
 * loader) and a device event time; pure functions, no wall clock. An asset that is {@code null} (unregistered
 * device) has neither windows nor approvals.
 */
public final class RegistrySchedules {
  private RegistrySchedules() {
  }

  /**
   * Whether {@code at} is in a scheduled maintenance window of {@code asset}: an explicit interval
   * {@code [from, until)} or a weekly window that starts on one of its days at {@code startTime} in its time zone
   * and lasts {@code durationSeconds} (a window may run past midnight or into the next week). Local start times that
   * fall in a daylight-saving gap move forward by the gap.
   */
  public static boolean inMaintenanceWindow(Asset asset, Instant at) {
    if (asset == null || asset.getMaintenanceWindows() == null) {
      return false;
    }
    for (MaintenanceWindow w : asset.getMaintenanceWindows()) {
      if (w.getFrom() != null || w.getUntil() != null) {
        if ((w.getFrom() == null || !at.isBefore(w.getFrom())) && (w.getUntil() == null || at.isBefore(w.getUntil()))) {
          return true;
        }
      } else if (inWeeklyWindow(w, at)) {
        return true;
      }
    }
    return false;
  }

  private static boolean inWeeklyWindow(MaintenanceWindow w, Instant at) {
    if (w.getStartTime() == null || w.getTimeZone() == null || w.getDurationSeconds() <= 0) {
      return false;
    }
    ZoneId zone;
    LocalTime start;
    try {
      zone = ZoneId.of(w.getTimeZone());
      start = LocalTime.parse(w.getStartTime());
    } catch (DateTimeException e) {
      return false; // the registry loader rejects such windows; an older record is not a window
    }
    Duration length = Duration.ofSeconds(w.getDurationSeconds());
    LocalDate today = at.atZone(zone).toLocalDate();
    // A window that started up to its length (plus a day for the start time) ago may still be open.
    long lookBack = length.toDays() + 1;
    for (long back = 0; back <= lookBack; back++) {
      LocalDate day = today.minusDays(back);
      if (!startsOn(w, day.getDayOfWeek())) {
        continue;
      }
      ZonedDateTime opens = day.atTime(start).atZone(zone);
      Instant from = opens.toInstant();
      if (!at.isBefore(from) && at.isBefore(from.plus(length))) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsOn(MaintenanceWindow w, DayOfWeek day) {
    for (String d : w.getDays()) {
      if (d.equals(day.name())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The approval of {@code asset} that covers a firmware change from {@code from} to {@code to} at device event time
   * {@code at}, or {@code null}: its {@code fromFirmware} and {@code toFirmware} equal the versions (numerically,
   * see {@link Version}) or are absent (any), and {@code at} is in {@code [validFrom, validUntil)} (absent bounds are
   * open).
   */
  public static ApprovedChange approval(Asset asset, Version from, Version to, Instant at) {
    if (asset == null || asset.getApprovedChanges() == null) {
      return null;
    }
    for (ApprovedChange c : asset.getApprovedChanges()) {
      if (matches(c.getFromFirmware(), from) && matches(c.getToFirmware(), to)
          && (c.getValidFrom() == null || !at.isBefore(c.getValidFrom()))
          && (c.getValidUntil() == null || at.isBefore(c.getValidUntil()))) {
        return c;
      }
    }
    return null;
  }

  private static boolean matches(String approved, Version actual) {
    if (approved == null) {
      return true;
    }
    try {
      return Version.parse(approved).compareTo(actual) == 0;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
