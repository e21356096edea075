package io.fleetwatch.streams.registry;

import io.fleetwatch.avro.ApprovedChange;
import io.fleetwatch.avro.Asset;
import io.fleetwatch.avro.BusinessService;
import io.fleetwatch.avro.DeviceModel;
import io.fleetwatch.avro.MaintenanceWindow;
import io.fleetwatch.avro.ModelStakeholder;
import io.fleetwatch.avro.Sbom;
import io.fleetwatch.avro.Stakeholder;
import io.fleetwatch.avro.StakeholderRef;
import io.fleetwatch.schemas.Identifier;
import io.fleetwatch.schemas.yaml.YamlFormatException;
import io.fleetwatch.schemas.yaml.YamlMap;
import io.fleetwatch.schemas.yaml.YamlReader;
import io.fleetwatch.schemas.yaml.YamlValue;
import io.fleetwatch.streams.policy.Version;
import io.fleetwatch.streams.vulnerability.matching.ComponentKey;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an asset registry file ({@code apiVersion: fleetwatch.io/v1}, {@code kind: AssetRegistry}) into
 * {@link Asset} records for the compacted {@code fleet.assets} topic. Every error names file, line and field.
 *
 * <pre>
 * apiVersion: fleetwatch.io/v1
 * kind: AssetRegistry
 * assets:
 *   - deviceId: chiller-01
 *     site: hq
 *     zone: roof-plant
 *     assetClass: chiller
 *     model: CH-200
 *     vendor: acme
 *     safetyFunction: false
 *     services: [hvac-hq]
 * approvedChanges:            # SEC-08: a downgrade they cover does not raise
 *   - deviceId: chiller-01    # or model: CH-200 (every asset registered with it)
 *     fromFirmware: 2.4.1     # absent = any
 *     toFirmware: 2.3.9       # absent = any
 *     validFrom: 2025-11-25T00:00:00Z
 *     validUntil: 2025-11-27T00:00:00Z
 *     reference: CHG-1042
 * maintenanceWindows:         # SEC-16: a tamper event in one does not raise
 *   - site: hq                # or deviceId: chiller-01
 *     from: 2025-11-29T22:00:00Z
 *     until: 2025-11-30T04:00:00Z
 *   - deviceId: chiller-01
 *     weekly: {days: [sat], start: "02:00", duration: PT3H, timeZone: Asia/Tokyo}
 * </pre>
 *
 * <p>Approved changes and maintenance windows are attached to the {@link Asset} records they cover (device, every
 * asset of a site, every asset registered with a model). No id may contain {@code |}, the separator of composite
 * store keys.
 */
public final class AssetRegistryFile {
  public static final String API_VERSION = "fleetwatch.io/v1";
  public static final String KIND = "AssetRegistry";
  private static final Set<String> TOP_LEVEL = Set.of("apiVersion", "kind", "assets", "services", "stakeholders",
      "models", "approvedChanges", "maintenanceWindows");
  private static final Set<String> APPROVAL_FIELDS = Set.of("deviceId", "model", "fromFirmware", "toFirmware",
      "validFrom", "validUntil", "reference");
  private static final Set<String> WINDOW_FIELDS = Set.of("deviceId", "site", "from", "until", "weekly", "reference");
  private static final Set<String> WEEKLY_FIELDS = Set.of("days", "start", "duration", "timeZone");
  private static final Duration LONGEST_WEEKLY_WINDOW = Duration.ofDays(7);
  private static final Set<String> MODEL_FIELDS = Set.of("model", "vendor", "productNames", "modelNumbers",
      "cpes", "minimumFirmware", "supportEndsOn", "stakeholders", "sboms");
  private static final Set<String> SBOM_FIELDS = Set.of("firmware", "file");
  private static final Set<String> ASSET_FIELDS = Set.of("deviceId", "site", "zone", "assetClass", "model", "vendor",
      "safetyFunction", "services", "ssf", "stakeholders");
  private static final Set<String> SSF_FIELDS = Set.of("recoveryDifficulty", "economicImpact");
  private static final Set<String> SERVICE_FIELDS = Set.of("id", "name", "rto", "rpo", "costPerHour", "currency",
      "manualFallback", "fallback", "bcpReference");
  private static final Set<String> STAKEHOLDER_FIELDS =
      Set.of("id", "name", "role", "email", "phone", "url", "securityTxt", "psirtUrl", "csafProviderMetadata",
          "components");
  /** Supply-chain roles a stakeholder can hold. */
  public static final Set<String> ROLES = Set.of("owner", "operator", "integrator", "maintenance-contractor",
      "manufacturer-psirt", "component-supplier", "insurer", "isac", "regulator");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  private final String file;
  private final Path baseDirectory;

  private AssetRegistryFile(String file) {
    this.file = file;
    Path parent = Path.of(file).toAbsolutePath().getParent();
    this.baseDirectory = parent == null ? Path.of(".") : parent;
  }

  /** Reads and validates the registry at {@code path}; returns its assets. */
  public static List<Asset> read(Path path) throws RegistryException {
    return readRegistry(path).assets();
  }

  /** Reads and validates registry text; {@code name} is used in error messages; returns its assets. */
  public static List<Asset> read(String name, Reader reader) throws RegistryException {
    return new AssetRegistryFile(name).parse(reader).assets();
  }

  /** Reads and validates the whole registry at {@code path}: assets, services and stakeholders. */
  public static Registry readRegistry(Path path) throws RegistryException {
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      return new AssetRegistryFile(path.toString()).parse(reader);
    } catch (IOException e) {
      throw new RegistryException(path + ": cannot read: " + e.getMessage());
    }
  }

  /** Reads and validates registry text; {@code name} is used in error messages. */
  public static Registry readRegistry(String name, Reader reader) throws RegistryException {
    return new AssetRegistryFile(name).parse(reader);
  }

  private Registry parse(Reader reader) throws RegistryException {
    YamlValue root;
    try {
      root = YamlReader.document(file, reader);
    } catch (YamlFormatException e) {
      // registry messages have always said "not valid YAML"
      throw new RegistryException(file + ":" + e.line() + ": not valid YAML: "
          + e.reason().replaceFirst("^invalid YAML: ", ""));
    }
    if (root == null) {
      throw new RegistryException(file + ":1: empty registry file");
    }
    Map<String, YamlValue> top = mapping(root, "(document)", TOP_LEVEL);
    String apiVersion = requiredText(top, root, "apiVersion", "apiVersion");
    if (!API_VERSION.equals(apiVersion)) {
      throw error(top.get("apiVersion"), "apiVersion", "unsupported version '" + apiVersion + "', expected "
          + API_VERSION);
    }
    String kind = requiredText(top, root, "kind", "kind");
    if (!KIND.equals(kind)) {
      throw error(top.get("kind"), "kind", "expected " + KIND + ", got '" + kind + "'");
    }
    List<BusinessService> services = new ArrayList<>();
    Map<String, Integer> serviceIds = new HashMap<>();
    for (Item item : list(top.get("services"), "services")) {
      BusinessService service = service(item.node(), item.at());
      rejectDuplicate(serviceIds, service.getId(), item, "id", "service");
      services.add(service);
    }
    List<Stakeholder> stakeholders = new ArrayList<>();
    Map<String, Integer> stakeholderIds = new HashMap<>();
    for (Item item : list(top.get("stakeholders"), "stakeholders")) {
      Stakeholder stakeholder = stakeholder(item.node(), item.at());
      rejectDuplicate(stakeholderIds, stakeholder.getId(), item, "id", "stakeholder");
      stakeholders.add(stakeholder);
    }
    YamlValue assetsNode = top.get("assets");
    if (assetsNode == null) {
      throw error(root, "assets", "required field is missing");
    }
    if (!assetsNode.isList()) {
      throw error(assetsNode, "assets", "must be a list");
    }
    List<YamlValue> assetItems = assetsNode.items();
    List<Asset> assets = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < assetItems.size(); i++) {
      YamlValue item = assetItems.get(i);
      String at = "assets[" + i + "]";
      Asset asset = asset(item, at);
      Integer previous = seen.putIfAbsent(asset.getDeviceId(), line(item));
      if (previous != null) {
        throw error(item, at + ".deviceId", "duplicate device '" + asset.getDeviceId() + "' (first at line "
            + previous + ")");
      }
      // References are checked against the same file when it defines the referenced section.
      if (top.containsKey("services")) {
        for (String service : asset.getServices()) {
          if (!serviceIds.containsKey(service)) {
            throw error(item, at + ".services", "unknown service '" + service + "' (not in services:)");
          }
        }
      }
      if (top.containsKey("stakeholders")) {
        for (StakeholderRef ref : asset.getStakeholders()) {
          if (!stakeholderIds.containsKey(ref.getStakeholderId())) {
            throw error(item, at + ".stakeholders." + ref.getRole(),
                "unknown stakeholder '" + ref.getStakeholderId() + "' (not in stakeholders:)");
          }
        }
      }
      assets.add(asset);
    }
    List<DeviceModel> models = new ArrayList<>();
    List<Sbom> sboms = new ArrayList<>();
    Map<String, Integer> modelIds = new HashMap<>();
    for (Item item : list(top.get("models"), "models")) {
      DeviceModel model = model(item.node(), item.at(), sboms, top.containsKey("stakeholders") ? stakeholderIds : null);
      rejectDuplicate(modelIds, model.getModel(), item, "model", "model");
      models.add(model);
    }
    Map<String, Integer> registeredModels = new HashMap<>(modelIds);
    assets.forEach(a -> {
      if (a.getModel() != null) {
        registeredModels.putIfAbsent(a.getModel(), 0);
      }
    });
    for (Item item : list(top.get("approvedChanges"), "approvedChanges")) {
      approvedChange(item, assets, seen, registeredModels);
    }
    for (Item item : list(top.get("maintenanceWindows"), "maintenanceWindows")) {
      maintenanceWindow(item, assets, seen);
    }
    return new Registry(assets, services, stakeholders, models, sboms);
  }

  /**
   * An approved firmware change (SEC-08) of one device ({@code deviceId}) or of every asset registered with a model
   * ({@code model}); versions absent = any, validity bounds absent = open. Attached to the matching assets.
   */
  private void approvedChange(Item item, List<Asset> assets, Map<String, Integer> deviceIds,
      Map<String, Integer> models) throws RegistryException {
    Map<String, YamlValue> fields = mapping(item.node(), item.at(), APPROVAL_FIELDS);
    String at = item.at();
    Target target = target(fields, item, "model", deviceIds, models, "model");
    ApprovedChange change = ApprovedChange.newBuilder()
        .setFromFirmware(optionalVersion(fields, "fromFirmware", at))
        .setToFirmware(optionalVersion(fields, "toFirmware", at))
        .setValidFrom(optionalInstant(fields, "validFrom", at))
        .setValidUntil(optionalInstant(fields, "validUntil", at))
        .setReference(optionalText(fields, "reference", at))
        .build();
    if (change.getValidFrom() != null && change.getValidUntil() != null
        && !change.getValidUntil().isAfter(change.getValidFrom())) {
      throw error(fields.get("validUntil"), at + ".validUntil", "must be after validFrom");
    }
    for (Asset asset : assets) {
      if (target.covers(asset.getDeviceId(), asset.getModel())) {
        List<ApprovedChange> changes = new ArrayList<>(asset.getApprovedChanges());
        changes.add(change);
        asset.setApprovedChanges(changes);
      }
    }
  }

  /**
   * A scheduled maintenance window (SEC-16) of one device ({@code deviceId}) or of every asset of a site
   * ({@code site}): an explicit interval {@code from}..{@code until}, or {@code weekly} (days, local start time,
   * duration up to 7 days, IANA time zone). Attached to the matching assets.
   */
  private void maintenanceWindow(Item item, List<Asset> assets, Map<String, Integer> deviceIds)
      throws RegistryException {
    Map<String, YamlValue> fields = mapping(item.node(), item.at(), WINDOW_FIELDS);
    String at = item.at();
    Map<String, Integer> sites = new HashMap<>();
    assets.forEach(a -> sites.putIfAbsent(a.getSite(), 0));
    Target target = target(fields, item, "site", deviceIds, sites, "site");
    MaintenanceWindow.Builder window = MaintenanceWindow.newBuilder().setDays(List.of())
        .setReference(optionalText(fields, "reference", at));
    YamlValue weekly = fields.get("weekly");
    if (weekly != null) {
      if (fields.containsKey("from") || fields.containsKey("until")) {
        throw error(weekly, at + ".weekly", "give either from/until or weekly, not both");
      }
      weekly(weekly, at + ".weekly", window);
    } else {
      Instant from = optionalInstant(fields, "from", at);
      Instant until = optionalInstant(fields, "until", at);
      if (from == null || until == null) {
        throw error(item.node(), at + (from == null ? ".from" : ".until"),
            "required field is missing (a window is from/until or weekly)");
      }
      if (!until.isAfter(from)) {
        throw error(fields.get("until"), at + ".until", "must be after from");
      }
      window.setFrom(from).setUntil(until);
    }
    MaintenanceWindow built = window.build();
    for (Asset asset : assets) {
      if (target.covers(asset.getDeviceId(), asset.getSite())) {
        List<MaintenanceWindow> windows = new ArrayList<>(asset.getMaintenanceWindows());
        windows.add(built);
        asset.setMaintenanceWindows(windows);
      }
    }
  }

  private void weekly(YamlValue node, String at, MaintenanceWindow.Builder window) throws RegistryException {
    Map<String, YamlValue> fields = mapping(node, at, WEEKLY_FIELDS);
    List<String> days = new ArrayList<>();
    YamlValue daysNode = fields.get("days");
    if (daysNode == null) {
      throw error(node, at + ".days", "required field is missing");
    }
    List<String> texts = textList(daysNode, at + ".days");
    if (texts.isEmpty()) {
      throw error(daysNode, at + ".days", "must list at least one day");
    }
    for (String text : texts) {
      days.add(dayOfWeek(daysNode, at + ".days", text).name());
    }
    String start = requiredText(fields, node, "start", at + ".start");
    try {
      LocalTime.parse(start);
    } catch (DateTimeParseException e) {
      throw error(fields.get("start"), at + ".start", "must be a local time like 02:00, got '" + start + "'");
    }
    Duration length = duration(fields, node, "duration", at);
    if (length.isZero() || length.compareTo(LONGEST_WEEKLY_WINDOW) > 0) {
      throw error(fields.get("duration"), at + ".duration", "must be more than zero and at most P7D, got " + length);
    }
    String zone = requiredText(fields, node, "timeZone", at + ".timeZone");
    try {
      ZoneId.of(zone);
    } catch (DateTimeException e) {
      throw error(fields.get("timeZone"), at + ".timeZone", "unknown time zone '" + zone
          + "' (an IANA name like Asia/Tokyo)");
    }
    window.setDays(days).setStartTime(start).setDurationSeconds(length.toSeconds()).setTimeZone(zone);
  }

  private DayOfWeek dayOfWeek(YamlValue node, String at, String text) throws RegistryException {
    String upper = text.trim().toUpperCase(Locale.ROOT);
    for (DayOfWeek day : DayOfWeek.values()) {
      if (day.name().equals(upper) || day.name().substring(0, 3).equals(upper)) {
        return day;
      }
    }
    throw error(node, at, "unknown day '" + text + "' (monday..sunday or mon..sun)");
  }

  /** Who an approval or window is for: exactly one of {@code deviceId} and {@code otherField}, both known. */
  private record Target(String deviceId, String other) {
    boolean covers(String assetDeviceId, String assetOther) {
      return deviceId != null ? deviceId.equals(assetDeviceId) : other.equals(assetOther);
    }
  }

  private Target target(Map<String, YamlValue> fields, Item item, String otherField, Map<String, Integer> deviceIds,
      Map<String, Integer> known, String what) throws RegistryException {
    boolean device = fields.containsKey("deviceId");
    if (device == fields.containsKey(otherField)) {
      throw error(item.node(), item.at(), "give exactly one of deviceId and " + otherField);
    }
    if (device) {
      String id = identifier(fields, item.node(), "deviceId", item.at());
      if (!deviceIds.containsKey(id)) {
        throw error(fields.get("deviceId"), item.at() + ".deviceId", "unknown device '" + id + "' (not in assets:)");
      }
      return new Target(id, null);
    }
    String value = requiredText(fields, item.node(), otherField, item.at() + "." + otherField);
    rejectSeparator(fields.get(otherField), item.at() + "." + otherField, value);
    if (!known.containsKey(value)) {
      throw error(fields.get(otherField), item.at() + "." + otherField, "unknown " + what + " '" + value
          + (what.equals("model") ? "' (not in models: nor on any asset)" : "' (no asset has it)"));
    }
    return new Target(null, value);
  }

  private String optionalVersion(Map<String, YamlValue> fields, String name, String at) throws RegistryException {
    String text = optionalText(fields, name, at);
    if (text != null) {
      try {
        Version.parse(text);
      } catch (IllegalArgumentException e) {
        throw error(fields.get(name), at + "." + name, "must be a version like 2.4.0, got '" + text + "'");
      }
    }
    return text;
  }

  private Instant optionalInstant(Map<String, YamlValue> fields, String name, String at) throws RegistryException {
    String text = optionalText(fields, name, at);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw error(fields.get(name), at + "." + name, "must be a date-time with offset like 2025-11-29T22:00:00Z, got '"
          + text + "'");
    }
  }

  /**
   * A model of the catalogue: vendor, the names advisories give it (product names and aliases, model numbers, CPEs:
   * what ties the device's firmware to advisory products), minimum firmware (SEC-05), end of support (SEC-06),
   * stakeholders by role, and CycloneDX SBOMs per firmware ({@code file} relative to the registry file).
   */
  private DeviceModel model(YamlValue node, String at, List<Sbom> sboms, Map<String, Integer> stakeholderIds)
      throws RegistryException {
    Map<String, YamlValue> fields = mapping(node, at, MODEL_FIELDS);
    String model = requiredText(fields, node, "model", at + ".model");
    rejectSeparator(fields.get("model"), at + ".model", model);
    String minimum = optionalVersion(fields, "minimumFirmware", at);
    LocalDate supportEnds = null;
    String end = optionalText(fields, "supportEndsOn", at);
    if (end != null) {
      try {
        supportEnds = LocalDate.parse(end);
      } catch (DateTimeParseException e) {
        throw error(fields.get("supportEndsOn"), at + ".supportEndsOn", "must be a date like 2029-12-31, got '"
            + end + "'");
      }
    }
    List<ModelStakeholder> refs = new ArrayList<>();
    YamlValue stakeholdersNode = fields.get("stakeholders");
    if (stakeholdersNode != null) {
      for (Map.Entry<String, YamlValue> e : mapping(stakeholdersNode, at + ".stakeholders", ROLES).entrySet()) {
        String id = scalar(e.getValue(), at + ".stakeholders." + e.getKey());
        rejectSeparator(e.getValue(), at + ".stakeholders." + e.getKey(), id);
        if (stakeholderIds != null && !stakeholderIds.containsKey(id)) {
          throw error(e.getValue(), at + ".stakeholders." + e.getKey(), "unknown stakeholder '" + id
              + "' (not in stakeholders:)");
        }
        refs.add(new ModelStakeholder(e.getKey(), id));
      }
    }
    List<String> sbomKeys = new ArrayList<>();
    for (Item item : list(fields.get("sboms"), at + ".sboms")) {
      Map<String, YamlValue> sbom = mapping(item.node(), item.at(), SBOM_FIELDS);
      String firmware = requiredText(sbom, item.node(), "firmware", item.at() + ".firmware");
      String relative = requiredText(sbom, item.node(), "file", item.at() + ".file");
      Path path = baseDirectory.resolve(relative);
      String json;
      try {
        json = Files.readString(path, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw error(sbom.get("file"), item.at() + ".file", "cannot read " + path + ": " + e.getMessage());
      }
      sboms.add(new CycloneDxSbom().parse(path.toString(), json, model, firmware));
      sbomKeys.add(model + "@" + firmware);
    }
    List<String> cpes = textList(fields.get("cpes"), at + ".cpes");
    for (int i = 0; i < cpes.size(); i++) {
      try {
        ComponentKey.ofCpe(cpes.get(i));
      } catch (IllegalArgumentException e) {
        throw error(fields.get("cpes"), at + ".cpes[" + i + "]", e.getMessage());
      }
    }
    return DeviceModel.newBuilder().setModel(model).setVendor(optionalText(fields, "vendor", at))
        .setProductNames(textList(fields.get("productNames"), at + ".productNames"))
        .setModelNumbers(textList(fields.get("modelNumbers"), at + ".modelNumbers"))
        .setCpes(cpes)
        .setMinimumFirmware(minimum).setSupportEndsOn(supportEnds).setStakeholders(refs).setSboms(sbomKeys).build();
  }

  private List<String> textList(YamlValue node, String at) throws RegistryException {
    List<String> values = new ArrayList<>();
    if (node == null) {
      return values;
    }
    if (!node.isList()) {
      throw error(node, at, "must be a list");
    }
    List<YamlValue> items = node.items();
    for (int i = 0; i < items.size(); i++) {
      values.add(scalar(items.get(i), at + "[" + i + "]"));
    }
    return values;
  }

  private record Item(YamlValue node, String at) {}

  private List<Item> list(YamlValue node, String field) throws RegistryException {
    List<Item> items = new ArrayList<>();
    if (node == null) {
      return items;
    }
    if (!node.isList()) {
      throw error(node, field, "must be a list");
    }
    List<YamlValue> values = node.items();
    for (int i = 0; i < values.size(); i++) {
      items.add(new Item(values.get(i), field + "[" + i + "]"));
    }
    return items;
  }

  private void rejectDuplicate(Map<String, Integer> seen, String id, Item item, String field, String what)
      throws RegistryException {
    Integer previous = seen.putIfAbsent(id, line(item.node()));
    if (previous != null) {
      throw error(item.node(), item.at() + "." + field, "duplicate " + what + " '" + id + "' (first at line "
          + previous + ")");
    }
  }

  private BusinessService service(YamlValue node, String at) throws RegistryException {
    Map<String, YamlValue> fields = mapping(node, at, SERVICE_FIELDS);
    String currency = requiredText(fields, node, "currency", at + ".currency");
    if (!CURRENCY.matcher(currency).matches()) {
      throw error(fields.get("currency"), at + ".currency", "must be an ISO 4217 code like JPY or EUR, got '"
          + currency + "'");
    }
    double cost = number(fields, node, "costPerHour", at);
    if (cost < 0) {
      throw error(fields.get("costPerHour"), at + ".costPerHour", "must not be negative");
    }
    return BusinessService.newBuilder()
        .setId(identifier(fields, node, "id", at))
        .setName(requiredText(fields, node, "name", at + ".name"))
        .setRtoSeconds(duration(fields, node, "rto", at).toSeconds())
        .setRpoSeconds(duration(fields, node, "rpo", at).toSeconds())
        .setCostPerHour(cost)
        .setCurrency(currency)
        .setManualFallback(optionalBoolean(fields, "manualFallback", at))
        .setFallback(optionalText(fields, "fallback", at))
        .setBcpReference(optionalText(fields, "bcpReference", at))
        .build();
  }

  private Stakeholder stakeholder(YamlValue node, String at) throws RegistryException {
    Map<String, YamlValue> fields = mapping(node, at, STAKEHOLDER_FIELDS);
    String role = requiredText(fields, node, "role", at + ".role");
    if (!ROLES.contains(role)) {
      throw error(fields.get("role"), at + ".role", "unknown role '" + role + "' (known: "
          + String.join(", ", ROLES.stream().sorted().toList()) + ")");
    }
    Stakeholder s = Stakeholder.newBuilder()
        .setId(identifier(fields, node, "id", at))
        .setName(requiredText(fields, node, "name", at + ".name"))
        .setRole(role)
        .setEmail(optionalText(fields, "email", at))
        .setPhone(optionalText(fields, "phone", at))
        .setUrl(optionalText(fields, "url", at))
        .setSecurityTxt(optionalText(fields, "securityTxt", at))
        .setPsirtUrl(optionalText(fields, "psirtUrl", at))
        .setCsafProviderMetadata(optionalText(fields, "csafProviderMetadata", at))
        .setComponents(textList(fields.get("components"), at + ".components"))
        .build();
    if (s.getEmail() == null && s.getPhone() == null && s.getUrl() == null && s.getSecurityTxt() == null
        && s.getPsirtUrl() == null) {
      throw error(node, at, "needs at least one contact point (email, phone, url, securityTxt or psirtUrl)");
    }
    return s;
  }

  private Duration duration(Map<String, YamlValue> fields, YamlValue parent, String name, String at) throws RegistryException {
    String text = requiredText(fields, parent, name, at + "." + name);
    try {
      Duration d = Duration.parse(text);
      if (d.isNegative()) {
        throw error(fields.get(name), at + "." + name, "must not be negative");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw error(fields.get(name), at + "." + name, "must be an ISO-8601 duration like PT4H, got '" + text + "'");
    }
  }

  private double number(Map<String, YamlValue> fields, YamlValue parent, String name, String at) throws RegistryException {
    String text = requiredText(fields, parent, name, at + "." + name);
    try {
      double value = Double.parseDouble(text);
      if (!Double.isFinite(value)) {
        throw new NumberFormatException("not finite");
      }
      return value;
    } catch (NumberFormatException e) {
      throw error(fields.get(name), at + "." + name, "must be a number, got '" + text + "'");
    }
  }

  private int level(Map<String, YamlValue> fields, String name, String at) throws RegistryException {
    YamlValue n = fields.get(name);
    if (n == null) {
      return 0;
    }
    String text = scalar(n, at + "." + name);
    return switch (text) {
      case "1", "2", "3", "4" -> Integer.parseInt(text);
      default -> throw error(n, at + "." + name, "must be a level 1..4, got '" + text + "'");
    };
  }

  private Asset asset(YamlValue node, String at) throws RegistryException {
    Map<String, YamlValue> fields = mapping(node, at, ASSET_FIELDS);
    Asset.Builder b = Asset.newBuilder()
        .setDeviceId(identifier(fields, node, "deviceId", at))
        .setSite(identifier(fields, node, "site", at))
        .setAssetClass(identifier(fields, node, "assetClass", at))
        .setZone(optionalText(fields, "zone", at))
        .setModel(optionalText(fields, "model", at))
        .setVendor(optionalText(fields, "vendor", at))
        .setSafetyFunction(optionalBoolean(fields, "safetyFunction", at));
    if (b.getModel() != null) {
      rejectSeparator(fields.get("model"), at + ".model", b.getModel());
    }
    List<String> services = new ArrayList<>();
    YamlValue servicesNode = fields.get("services");
    if (servicesNode != null) {
      if (!servicesNode.isList()) {
        throw error(servicesNode, at + ".services", "must be a list of service ids");
      }
      List<YamlValue> list = servicesNode.items();
      for (int i = 0; i < list.size(); i++) {
        YamlValue s = list.get(i);
        String value = scalar(s, at + ".services[" + i + "]");
        if (!Identifier.isValid(value)) {
          throw error(s, at + ".services[" + i + "]", "must match " + Identifier.SYNTAX + ", got '" + value + "'");
        }
        services.add(value);
      }
    }
    YamlValue ssf = fields.get("ssf");
    if (ssf != null) {
      Map<String, YamlValue> levels = mapping(ssf, at + ".ssf", SSF_FIELDS);
      b.setRecoveryDifficulty(level(levels, "recoveryDifficulty", at + ".ssf"));
      b.setEconomicImpact(level(levels, "economicImpact", at + ".ssf"));
    }
    List<StakeholderRef> refs = new ArrayList<>();
    YamlValue stakeholdersNode = fields.get("stakeholders");
    if (stakeholdersNode != null) {
      Map<String, YamlValue> byRole = mapping(stakeholdersNode, at + ".stakeholders", ROLES);
      for (Map.Entry<String, YamlValue> e : byRole.entrySet()) {
        String id = scalar(e.getValue(), at + ".stakeholders." + e.getKey());
        rejectSeparator(e.getValue(), at + ".stakeholders." + e.getKey(), id);
        if (!Identifier.isValid(id)) {
          throw error(e.getValue(), at + ".stakeholders." + e.getKey(), "must match " + Identifier.SYNTAX + ", got '"
              + id + "'");
        }
        refs.add(StakeholderRef.newBuilder().setRole(e.getKey()).setStakeholderId(id).build());
      }
    }
    return b.setServices(services).setStakeholders(refs).build();
  }

  private Map<String, YamlValue> mapping(YamlValue node, String at, Set<String> allowed) throws RegistryException {
    if (!node.isMapping()) {
      throw error(node, at, "must be a mapping");
    }
    YamlMap m;
    try {
      m = node.asMap();
    } catch (YamlFormatException e) {
      throw new RegistryException(e.getMessage()); // a duplicate key or a key that is no text
    }
    Map<String, YamlValue> fields = new LinkedHashMap<>();
    for (String key : m.keys()) {
      if (!allowed.contains(key)) {
        throw new RegistryException(m.error(key, "unknown field (allowed: "
            + String.join(", ", allowed.stream().sorted().toList()) + ")").getMessage());
      }
      if (m.has(key)) {
        fields.put(key, m.get(key));
      }
    }
    return fields;
  }

  private String identifier(Map<String, YamlValue> fields, YamlValue parent, String name, String at) throws RegistryException {
    String value = requiredText(fields, parent, name, at + "." + name);
    rejectSeparator(fields.get(name), at + "." + name, value);
    if (!Identifier.isValid(value)) {
      throw error(fields.get(name), at + "." + name, "must match " + Identifier.SYNTAX + ", got '" + value + "'");
    }
    return value;
  }

  /**
   * Ids end up in composite state-store keys joined with {@code |} ({@code deviceId|policyId|checkId},
   * {@code componentKey|deviceId}, ...), so no id may contain it.
   */
  private void rejectSeparator(YamlValue node, String path, String value) throws RegistryException {
    if (value.indexOf('|') >= 0) {
      throw error(node, path, "must not contain '|' (the separator of composite store keys), got '" + value + "'");
    }
  }

  private String requiredText(Map<String, YamlValue> fields, YamlValue parent, String name, String path)
      throws RegistryException {
    YamlValue n = fields.get(name);
    if (n == null) {
      throw error(parent, path, "required field is missing");
    }
    String value = scalar(n, path);
    if (value.isBlank()) {
      throw error(n, path, "must not be empty");
    }
    return value;
  }

  private String optionalText(Map<String, YamlValue> fields, String name, String at) throws RegistryException {
    YamlValue n = fields.get(name);
    return n == null ? null : scalar(n, at + "." + name);
  }

  private boolean optionalBoolean(Map<String, YamlValue> fields, String name, String at) throws RegistryException {
    YamlValue n = fields.get(name);
    if (n == null) {
      return false;
    }
    String value = scalar(n, at + "." + name);
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw error(n, at + "." + name, "must be true or false, got '" + value + "'");
    };
  }

  private String scalar(YamlValue node, String path) throws RegistryException {
    if (!node.isScalar()) {
      throw error(node, path, "must be a single value");
    }
    return node.scalarText();
  }

  private static int line(YamlValue node) {
    return node.line();
  }

  private RegistryException error(YamlValue node, String field, String why) {
    return new RegistryException(file + ":" + line(node) + ": " + field + ": " + why);
  }
}
