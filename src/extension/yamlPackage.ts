// The `yaml` package as a bundle of its own, `dist/yaml.js`. The extension's bundle loads it
// with `require('./yaml.js')` when it reads the first YAML plan (see `yamlPackage` in
// src/core/plan/tree.ts), so that activation does not parse it.
export * from 'yaml';
