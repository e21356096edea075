// An independent Sparkplug B edge node (Eclipse Tahu's npm sparkplug-client / sparkplug-payload) driven line by
// line from stdin, so a test decides when each message goes out:
//   birth                 NBIRTH (on connect) + DBIRTH of the device: supply_temp_c (alias 1, Double),
//                         running (alias 2, Boolean), mode (alias 3, String)
//   data <temperature>    DDATA by alias only: supply_temp_c and running
//   death                 DDEATH of the device
//   stop                  disconnect and exit
// Commands wait until the node is connected and its NBIRTH is out. Prints "connected" then "ok <command>" after
// each published command.
// Usage: node edge-node.js <mqtt url> <group> <edge node> <device>
const sparkplug = require("sparkplug-client");
const readline = require("readline");

const [url, groupId, edgeNode, device] = process.argv.slice(2);
const client = sparkplug.newClient({
  serverUrl: url, username: "", password: "", groupId, edgeNode, clientId: "edge-" + edgeNode + "-" + process.pid,
  version: "spBv1.0", keepalive: 30,
});

let nodeBorn = false;
const waiting = [];
client.on("birth", () => {
  client.publishNodeBirth({
    timestamp: Date.now(),
    metrics: [
      { name: "Node Control/Rebirth", type: "Boolean", value: false },
      { name: "Properties/Hardware Make", type: "String", value: "acme" },
    ],
  });
  nodeBorn = true;
  console.log("connected");
  waiting.splice(0).forEach(handle);
});
client.on("error", (e) => console.error("error " + e));

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => (nodeBorn ? handle(line) : waiting.push(line)));

function handle(line) {
  const [command, arg] = line.trim().split(/\s+/);
  const now = Date.now();
  if (command === "birth") {
    client.publishDeviceBirth(device, {
      timestamp: now,
      metrics: [
        { name: "supply_temp_c", alias: 1, type: "Double", value: 7.0 },
        { name: "running", alias: 2, type: "Boolean", value: true },
        { name: "mode", alias: 3, type: "String", value: "auto" },
      ],
    });
  } else if (command === "data") {
    client.publishDeviceData(device, {
      timestamp: now,
      metrics: [
        { alias: 1, type: "Double", value: parseFloat(arg) },
        { alias: 2, type: "Boolean", value: true },
      ],
    });
  } else if (command === "death") {
    client.publishDeviceDeath(device, { timestamp: now, metrics: [] });
  } else if (command === "stop") {
    client.stop();
    console.log("ok stop");
    setTimeout(() => process.exit(0), 200);
    return;
  } else {
    console.log("unknown " + command);
    return;
  }
  console.log("ok " + command);
}
