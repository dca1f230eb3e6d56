-- The API tokens' revision: a number that every new, revoked, re-assigned or
-- deleted API token moves on, in the same transaction. A token's time of use
-- (`last_used_at`, written off the request path) does not move it.
--
-- Every API request used to read its token, its account and the revisions in
-- one statement: under load a third of all statements, and for a kept answer
-- the only one. The server now keeps what a token lets in (the token's id and
-- its account) under this revision and the plans' (which every change to an
-- account moves: migration 0014), and reads the revisions once for every
-- request waiting at the same time (store `revision::Shared`). A token revoked
-- or an account deactivated, here or in another process, is refused from the
-- next request on. A test proves the list (store `revision::TOKENS`) and the
-- triggers agree on both dialects.
INSERT INTO data_revisions (area, n) VALUES ('tokens', 0);

CREATE TRIGGER api_tokens_tok_i AFTER INSERT ON api_tokens BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'tokens'; END;
CREATE TRIGGER api_tokens_tok_u AFTER UPDATE OF user_id, token_hash, revoked_at ON api_tokens BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'tokens'; END;
CREATE TRIGGER api_tokens_tok_d AFTER DELETE ON api_tokens BEGIN UPDATE data_revisions SET n = n + 1 WHERE area = 'tokens'; END;
