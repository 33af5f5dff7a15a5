export {
  composeSupergraph,
  CompositionFailedError,
  NoSubgraphsError,
  type SubgraphSource,
  type ComposedSchemas,
} from './composition/compose-supergraph.js';
export {
  reviewBreakingChanges,
  parseAcknowledgements,
  InvalidAcknowledgementsError,
  type BreakingChangeReport,
  type BreakingChangeAcknowledgements,
} from './composition/breaking-changes.js';
export {
  readSubgraphSdlFiles,
  checkSchemaArtefacts,
  writeSchemaArtefacts,
  acceptApiBaseline,
  SCHEMA_ARTEFACTS,
  type SubgraphSdlFile,
  type SchemaCheckReport,
  type ComposeOutcome,
} from './composition/schema-artefacts.js';
