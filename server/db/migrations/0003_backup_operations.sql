-- Backups (issue 14) are operations too: queued, run by a worker, with progress events.
ALTER TABLE operations DROP CONSTRAINT operations_kind_check;
ALTER TABLE operations ADD CONSTRAINT operations_kind_check CHECK (kind IN ('create', 'delete', 'backup'));
