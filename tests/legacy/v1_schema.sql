-- v1.0's schema (PostgreSQL 15, UTF8), exactly as issue 13 gives it: the Auth.js
-- (NextAuth, @auth/pg-adapter) tables and v1.0's own. The tests and `make bench-import`
-- load it into a throwaway database to stand in for v1.0; the importer only reads an
-- existing v1.0 database and never runs this file.
CREATE TABLE users (
  id SERIAL PRIMARY KEY,
  name VARCHAR(255),
  email VARCHAR(255) UNIQUE,            -- as typed: two rows may differ only by letter case; NULL possible
  "emailVerified" TIMESTAMPTZ,
  image TEXT,
  password_hash TEXT,                   -- bcrypt ($2a$ or $2b$, cost 10-12); NULL for users who only used Discord/Google
  role TEXT NOT NULL DEFAULT 'user',    -- 'user' | 'admin'
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE accounts (                 -- OAuth sign-ins (Auth.js)
  id SERIAL PRIMARY KEY,
  "userId" INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type VARCHAR(255) NOT NULL,
  provider VARCHAR(255) NOT NULL,       -- 'discord' | 'google'
  "providerAccountId" VARCHAR(255) NOT NULL,
  refresh_token TEXT, access_token TEXT, expires_at BIGINT, token_type VARCHAR(255),
  scope TEXT, id_token TEXT, session_state TEXT
);
CREATE TABLE sessions (                 -- Auth.js web sessions: not migrated
  id SERIAL PRIMARY KEY,
  "userId" INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  expires TIMESTAMPTZ NOT NULL,
  "sessionToken" VARCHAR(255) NOT NULL
);
CREATE TABLE verification_token (
  identifier TEXT NOT NULL, expires TIMESTAMPTZ NOT NULL, token TEXT NOT NULL,
  PRIMARY KEY (identifier, token)
);
CREATE TABLE user_settings (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  time_zone TEXT,                       -- IANA name, e.g. 'America/Los_Angeles'; NULL = UTC
  theme TEXT                            -- 'light' | 'dark' | 'system'
);
CREATE TABLE campaigns (
  id UUID PRIMARY KEY,
  owner_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT,
  game_system TEXT,
  archived BOOLEAN NOT NULL DEFAULT false,
  deleted_at TIMESTAMPTZ,               -- soft delete
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE game_sessions (
  id UUID PRIMARY KEY,
  campaign_id UUID NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
  session_number INTEGER,               -- may be NULL, 0, negative or repeated
  title TEXT NOT NULL,
  played_at TIMESTAMPTZ,                -- an instant; the day it names is in the owner's time zone
  notes TEXT,
  transcript_key TEXT,                  -- newer rows: object key in v1.0's S3 bucket
  transcript_text TEXT,                 -- older rows: the transcript inline, up to several MB
  transcript_raw BYTEA,                 -- uploads v1.0 could not decode: the raw bytes, any encoding
  transcript_filename TEXT,             -- at most one of key / text / raw is set
  share_token VARCHAR(22) UNIQUE,       -- base64url of 16 random bytes; NULL when not shared
  share_expires_at TIMESTAMPTZ,         -- NULL: never expires
  deleted_at TIMESTAMPTZ,               -- soft delete
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE summaries (
  id UUID PRIMARY KEY,
  session_id UUID NOT NULL REFERENCES game_sessions(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,                   -- 'recap' | 'highlights' | 'npcs' | 'locations' | 'loot' | 'quests' | older kinds
  content TEXT NOT NULL,                -- Markdown
  model TEXT,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  created_at TIMESTAMPTZ NOT NULL,
  UNIQUE (session_id, kind)
);
