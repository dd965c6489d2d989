// The core suites run here with TORSION_TRANSPORT=native: importing the package registers it
// with core (vitest's runner cannot `require` an ES module the way Node does).
import "@torsion/native";
