# The fleetwatch image: one runnable jar (app/target/fleetwatch.jar) with the policy catalogue and the demo fleet.
# `docker build -t fleetwatch:local .`, then `docker run fleetwatch:local gateway|streams|simulate|registry ...`.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY schemas/pom.xml schemas/pom.xml
COPY gateway/pom.xml gateway/pom.xml
COPY streams/pom.xml streams/pom.xml
COPY simulator/pom.xml simulator/pom.xml
COPY embedded/pom.xml embedded/pom.xml
COPY bench/pom.xml bench/pom.xml
COPY app/pom.xml app/pom.xml
COPY schemas schemas
COPY gateway gateway
COPY streams streams
COPY simulator simulator
COPY embedded embedded
COPY bench bench
COPY app app
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system fleetwatch && useradd --system --gid fleetwatch --home-dir /app fleetwatch \
    && mkdir -p /var/lib/fleetwatch/streams && chown -R fleetwatch:fleetwatch /var/lib/fleetwatch
WORKDIR /app
COPY --from=build /src/app/target/fleetwatch.jar /app/fleetwatch.jar
COPY policies /app/policies
COPY examples /app/examples
COPY scenarios /app/scenarios
ENV FLEETWATCH_HOME=/app
USER fleetwatch
EXPOSE 8080 8081
ENTRYPOINT ["java", "-jar", "/app/fleetwatch.jar"]
