package io.fleetwatch.streams.api;

import io.fleetwatch.streams.policy.RuntimeCatalogue;

/** Read access to the policy catalogue in force, for {@code GET /api/policies}. */
public interface PolicyQueries {
  RuntimeCatalogue catalogue();
}
