// Uniqueness of id (the namespace IRI) on :Namespace (imported PROV documents' namespaces).
CREATE CONSTRAINT namespace_id IF NOT EXISTS FOR (n:Namespace) REQUIRE n.id IS UNIQUE
