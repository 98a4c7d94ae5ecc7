-- A counter bumped by every change to stores, operations or tokens: API instances cache a
-- serialized store list and reuse it while the counter is unchanged (one indexed read per
-- GET /stores instead of a 1,000-row query). It lives here, so every instance sees every change.
CREATE TABLE list_version (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL
);
INSERT INTO list_version (id, version) VALUES (true, 0);

CREATE FUNCTION bump_list_version() RETURNS trigger AS $$
BEGIN
    UPDATE list_version SET version = version + 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER stores_list_version AFTER INSERT OR UPDATE OR DELETE ON stores FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version();
CREATE TRIGGER operations_list_version AFTER INSERT OR UPDATE OR DELETE ON operations FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version();
CREATE TRIGGER tokens_list_version AFTER INSERT OR UPDATE OR DELETE ON tokens FOR EACH STATEMENT EXECUTE FUNCTION bump_list_version();
