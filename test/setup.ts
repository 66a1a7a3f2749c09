// Loaded by mocha (--require) before any test file, so the mocks are in place before program code is imported.
import "./harness";
