// Node count per label and edge count per type, from the count store (constant time).
// Only the labels and types of prov_model.vocab (imported PROV's included). Returns kind ('node' | 'edge'), name, count.
MATCH (n:Activity) RETURN 'node' AS kind, 'Activity' AS name, count(n) AS count
UNION ALL MATCH (n:Entity) RETURN 'node' AS kind, 'Entity' AS name, count(n) AS count
UNION ALL MATCH (n:Agent) RETURN 'node' AS kind, 'Agent' AS name, count(n) AS count
UNION ALL MATCH (n:Task) RETURN 'node' AS kind, 'Task' AS name, count(n) AS count
UNION ALL MATCH (n:Workflow) RETURN 'node' AS kind, 'Workflow' AS name, count(n) AS count
UNION ALL MATCH (n:Campaign) RETURN 'node' AS kind, 'Campaign' AS name, count(n) AS count
UNION ALL MATCH (n:Plan) RETURN 'node' AS kind, 'Plan' AS name, count(n) AS count
UNION ALL MATCH (n:Person) RETURN 'node' AS kind, 'Person' AS name, count(n) AS count
UNION ALL MATCH (n:SoftwareAgent) RETURN 'node' AS kind, 'SoftwareAgent' AS name, count(n) AS count
UNION ALL MATCH ()-[r:USED]->() RETURN 'edge' AS kind, 'USED' AS name, count(r) AS count
UNION ALL MATCH ()-[r:WAS_GENERATED_BY]->() RETURN 'edge' AS kind, 'WAS_GENERATED_BY' AS name, count(r) AS count
UNION ALL MATCH ()-[r:WAS_INFORMED_BY]->() RETURN 'edge' AS kind, 'WAS_INFORMED_BY' AS name, count(r) AS count
UNION ALL MATCH ()-[r:WAS_ASSOCIATED_WITH]->() RETURN 'edge' AS kind, 'WAS_ASSOCIATED_WITH' AS name, count(r) AS count
UNION ALL MATCH ()-[r:WAS_PART_OF]->() RETURN 'edge' AS kind, 'WAS_PART_OF' AS name, count(r) AS count
UNION ALL MATCH (n:Namespace) RETURN 'node' AS kind, 'Namespace' AS name, count(n) AS count
UNION ALL MATCH ()-[r:WAS_STARTED_BY]->() RETURN 'edge' AS kind, 'WAS_STARTED_BY' AS name, count(r) AS count
UNION ALL MATCH ()-[r:WAS_ENDED_BY]->() RETURN 'edge' AS kind, 'WAS_ENDED_BY' AS name, count(r) AS count
UNION ALL MATCH ()-[r:WAS_INVALIDATED_BY]->() RETURN 'edge' AS kind, 'WAS_INVALIDATED_BY' AS name, count(r) AS count
UNION ALL MATCH ()-[r:WAS_DERIVED_FROM]->() RETURN 'edge' AS kind, 'WAS_DERIVED_FROM' AS name, count(r) AS count
UNION ALL MATCH ()-[r:WAS_ATTRIBUTED_TO]->() RETURN 'edge' AS kind, 'WAS_ATTRIBUTED_TO' AS name, count(r) AS count
UNION ALL MATCH ()-[r:ACTED_ON_BEHALF_OF]->() RETURN 'edge' AS kind, 'ACTED_ON_BEHALF_OF' AS name, count(r) AS count
UNION ALL MATCH ()-[r:WAS_INFLUENCED_BY]->() RETURN 'edge' AS kind, 'WAS_INFLUENCED_BY' AS name, count(r) AS count
UNION ALL MATCH ()-[r:ALTERNATE_OF]->() RETURN 'edge' AS kind, 'ALTERNATE_OF' AS name, count(r) AS count
UNION ALL MATCH ()-[r:SPECIALIZATION_OF]->() RETURN 'edge' AS kind, 'SPECIALIZATION_OF' AS name, count(r) AS count
UNION ALL MATCH ()-[r:HAD_MEMBER]->() RETURN 'edge' AS kind, 'HAD_MEMBER' AS name, count(r) AS count
UNION ALL MATCH ()-[r:MENTION_OF]->() RETURN 'edge' AS kind, 'MENTION_OF' AS name, count(r) AS count
