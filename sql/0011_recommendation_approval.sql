-- Approvals of recommendations (docs/approvals.md), shared by both storage
-- paths: who approved which version of a recommendation (its key and
-- generated_at), under which role, and who withdrew it. Written by the API's
-- /v1/approvals; read by the API, by a future kcost operator that applies
-- approved changes, and by Grafana. Rows are never deleted: a withdrawal is
-- recorded on its approval, so the table is also the audit of approvals.
-- A recommendation that changes gets a new generated_at, so its approval no
-- longer matches it (stale) and it needs a new one.
CREATE TABLE IF NOT EXISTS recommendation_approval (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  key text NOT NULL,
  generated_at timestamptz NOT NULL,
  cluster text NOT NULL,
  namespace text,
  approved_by text NOT NULL,
  approved_role text NOT NULL CHECK (approved_role IN ('engineer', 'operator', 'admin')),
  approved_at timestamptz NOT NULL,
  comment text NOT NULL DEFAULT '',
  withdrawn_by text,
  withdrawn_at timestamptz,
  CHECK ((withdrawn_by IS NULL) = (withdrawn_at IS NULL))
);

-- At most one approval in force per version: approving twice is answered with the first.
CREATE UNIQUE INDEX IF NOT EXISTS recommendation_approval_in_force_idx ON recommendation_approval (key, generated_at) WHERE withdrawn_at IS NULL;
CREATE INDEX IF NOT EXISTS recommendation_approval_scope_idx ON recommendation_approval (cluster, namespace, approved_at DESC);

COMMENT ON TABLE recommendation_approval IS 'Approvals of recommendation versions (key and generated_at) by engineers, operators and admins, with withdrawals; never deleted, the audit of approvals (docs/approvals.md).';
COMMENT ON COLUMN recommendation_approval.id IS 'Approval id, as /v1/approvals names it.';
COMMENT ON COLUMN recommendation_approval.key IS 'The recommendation''s key (recommendation.key).';
COMMENT ON COLUMN recommendation_approval.generated_at IS 'The version approved: the recommendation''s generated_at when it was approved. A newer version of the key needs a new approval.';
COMMENT ON COLUMN recommendation_approval.cluster IS 'Cluster of the recommendation (scope of the approval).';
COMMENT ON COLUMN recommendation_approval.namespace IS 'Namespace of the recommendation; NULL for advice about no namespace (a node), which needs node costs to see and approve.';
COMMENT ON COLUMN recommendation_approval.approved_by IS 'Who approved: the token''s subject (OIDC sub, Kubernetes user, static token name).';
COMMENT ON COLUMN recommendation_approval.approved_role IS 'The approver''s strongest role over the recommendation: engineer, operator or admin.';
COMMENT ON COLUMN recommendation_approval.approved_at IS 'When it was approved.';
COMMENT ON COLUMN recommendation_approval.comment IS 'The approver''s note (may be empty).';
COMMENT ON COLUMN recommendation_approval.withdrawn_by IS 'Who withdrew the approval; NULL while it is in force.';
COMMENT ON COLUMN recommendation_approval.withdrawn_at IS 'When the approval was withdrawn; NULL while it is in force.';

-- Team database roles see the approvals of their namespaces only, as they see the recommendations (0010).
SELECT kcost_guard_table('recommendation_approval', 'namespace');
