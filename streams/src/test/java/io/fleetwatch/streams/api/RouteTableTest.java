package io.fleetwatch.streams.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetwatch.streams.api.RouteTable.Access;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private final RouteTable.Handler list = request -> { };
  private final RouteTable.Handler one = request -> { };
  private final RouteTable.Handler acknowledge = request -> { };
  private final RouteTable.Handler mine = request -> { };
  private final RouteTable routes = new RouteTable()
      .get("/api/incidents", Access.READ, list)
      .get("/api/incidents/{id}", Access.READ, one)
      .post("/api/incidents/{id}/acknowledge", Access.WRITE, acknowledge);

  @Test
  void extractsNamedSegmentsFromTheDecodedPath() {
    RouteTable.Found found = assertInstanceOf(RouteTable.Found.class,
        routes.match("POST", "/api/incidents/SAF-01|chiller-01.1000/acknowledge"));
    assertSame(acknowledge, found.route().handler());
    assertEquals(Access.WRITE, found.route().access());
    assertEquals(Map.of("id", "SAF-01|chiller-01.1000"), found.parameters());

    RouteTable.Found incident = assertInstanceOf(RouteTable.Found.class, routes.match("GET", "/api/incidents/x"));
    assertSame(one, incident.route().handler());
    assertEquals(Map.of("id", "x"), incident.parameters());
    assertEquals(Map.of(), assertInstanceOf(RouteTable.Found.class, routes.match("GET", "/api/incidents"))
        .parameters());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/nothing", "/api/incidents/a/b", "/api/incidents/", "/api/incidents//acknowledge",
      "/api/incidents/x/close", "/api", "/", "", "*", "/api/incidents/x/acknowledge/more"})
  void answersNotFoundWhenNoPatternMatchesThePath(String path) {
    assertInstanceOf(RouteTable.NotFound.class, routes.match("GET", path), path);
    assertInstanceOf(RouteTable.NotFound.class, routes.match("POST", path), path);
  }

  @Test
  void answersTheMethodsAPathHasWhenTheMethodIsWrong() {
    RouteTable.NotAllowed get = assertInstanceOf(RouteTable.NotAllowed.class,
        routes.match("GET", "/api/incidents/x/acknowledge"));
    assertEquals(Set.of("POST"), get.allowed());
    assertEquals(Set.of("GET"), assertInstanceOf(RouteTable.NotAllowed.class,
        routes.match("DELETE", "/api/incidents/x")).allowed());

    routes.add("DELETE", "/api/incidents/{id}", Access.WRITE, request -> { });
    assertEquals(List.of("DELETE", "GET"), List.copyOf(assertInstanceOf(RouteTable.NotAllowed.class,
        routes.match("PUT", "/api/incidents/x")).allowed()), "sorted, for a stable Allow header");
  }

  @Test
  void aLiteralSegmentWinsOverANamedOneWhateverTheOrderOfRegistration() {
    routes.get("/api/incidents/mine", Access.READ, mine);
    assertSame(mine, assertInstanceOf(RouteTable.Found.class, routes.match("GET", "/api/incidents/mine"))
        .route().handler());
    assertSame(one, assertInstanceOf(RouteTable.Found.class, routes.match("GET", "/api/incidents/other"))
        .route().handler());
  }

  @Test
  void refusesMalformedPatternsAndPatternsThatShadowAnother() {
    assertThrows(IllegalArgumentException.class, () -> routes.get("api/x", Access.READ, list));
    assertThrows(IllegalArgumentException.class, () -> routes.get("/api/x{id}", Access.READ, list));
    assertThrows(IllegalArgumentException.class, () -> routes.get("/api/{id}/{id}", Access.READ, list));
    assertThrows(IllegalArgumentException.class, () -> routes.add("get", "/api/x", Access.READ, list));
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> routes.get("/api/incidents/{incidentId}", Access.READ, list));
    assertTrue(twice.getMessage().contains("GET /api/incidents/{id}"), twice.getMessage());
    routes.post("/api/incidents/{id}", Access.WRITE, list); // another method on the same path is fine
  }

  @Test
  void readRoutesNeedTheReadTokenOrTheWriteTokenAndWriteRoutesOnlyTheWriteToken() {
    BearerTokens tokens = new BearerTokens("reader-token-0123456789", "writer-token-0123456789");
    assertTrue(tokens.permit(Access.OPEN, null));
    assertTrue(tokens.permit(Access.READ, "Bearer reader-token-0123456789"));
    assertTrue(tokens.permit(Access.READ, "Bearer writer-token-0123456789"));
    assertTrue(tokens.permit(Access.WRITE, "Bearer writer-token-0123456789 "));
    for (String header : new String[] {null, "", "Bearer ", "Basic reader-token-0123456789",
        "Bearer reader-token-012345678", "bearer reader-token-0123456789"}) {
      assertEquals(false, tokens.permit(Access.READ, header), String.valueOf(header));
    }
    assertEquals(false, tokens.permit(Access.WRITE, "Bearer reader-token-0123456789"), "a reader cannot write");
    assertEquals(false, tokens.permit(Access.WRITE, null));
  }

  @Test
  void withoutTokensEveryRouteIsOpenAndAWriteTokenAloneLeavesReadsOpen() {
    for (Access access : Access.values()) {
      assertTrue(BearerTokens.NONE.permit(access, null), access.name());
    }
    BearerTokens writeOnly = new BearerTokens(null, "writer-token-0123456789");
    assertTrue(writeOnly.permit(Access.READ, null));
    assertEquals(false, writeOnly.permit(Access.WRITE, null));
    assertTrue(!writeOnly.toString().contains("writer-token"), "never shows a token: " + writeOnly);
  }
}
