package redisstore

import "github.com/redis/go-redis/v9"

// Every state change is one of these scripts: atomic, one round trip
// (EVALSHA, and EVAL once if the server lost the script). Times are Unix
// milliseconds, formatted by Go; the scripts never turn numbers into strings.

// keepJob keeps one job in step with its due time ms (empty for none): removed
// when none; left alone, lease and all, when already due or claimed at ms;
// otherwise due at ms and no longer leased.
const keepJob = `
local function keep_job(due, leased, at, job, ms)
  if ms == '' then
    redis.call('ZREM', due, job)
    redis.call('ZREM', leased, job)
    redis.call('HDEL', at, job)
    return
  end
  if redis.call('HGET', at, job) == ms and
    (redis.call('ZSCORE', due, job) or redis.call('ZSCORE', leased, job)) then
    return
  end
  redis.call('ZREM', leased, job)
  redis.call('ZADD', due, ms, job)
  redis.call('HSET', at, job, ms)
end
`

// saveScript writes a prospect over the version it was read at, moves it
// between owners' indexes (open ones in the owner's set, retired ones in
// their retired set, scored by when they retired) and keeps its follow-up
// and CRM jobs in step. It returns {1} when written, {0, stored version or
// false} on conflict.
var saveScript = redis.NewScript(`
-- KEYS[1] {p}:t:<team>:p                     hash id → prospect JSON
-- KEYS[2] {p}:t:<team>:v                     hash id → version
-- KEYS[3] {p}:t:<team>:o                     hash id → owner set key
-- KEYS[4] {p}:t:<team>:owner:<user>          set of ids of the new owner's open prospects
-- KEYS[5] {p}:t:<team>:owner:<user>:retired  zset id → retired ms, the new owner's
-- KEYS[6] {p}:jobs:due                       zset job → due ms
-- KEYS[7] {p}:jobs:leased                    zset job → lease end ms
-- KEYS[8] {p}:jobs:at                        hash job → due ms
-- ARGV[1] prospect id
-- ARGV[2] version being written (the stored one must be ARGV[2]-1; none for 1)
-- ARGV[3] prospect JSON
-- ARGV[4] follow-up job key
-- ARGV[5] follow-up due ms, '' for none
-- ARGV[6] CRM job key
-- ARGV[7] CRM job due ms, '' for none
-- ARGV[8] retired ms, '' while open
` + keepJob + `
local id = ARGV[1]
local version = tonumber(ARGV[2])
local stored = redis.call('HGET', KEYS[2], id)
if version == 1 then
  if stored then return {0, stored} end
elseif not stored or tonumber(stored) ~= version - 1 then
  return {0, stored}
end
redis.call('HSET', KEYS[1], id, ARGV[3])
redis.call('HSET', KEYS[2], id, ARGV[2])
-- the old owner's set is a key the store built and saved, in this slot, and
-- its retired set is that key with ':retired' after it
local old = redis.call('HGET', KEYS[3], id)
if old and old ~= KEYS[4] then
  redis.call('SREM', old, id)
  redis.call('ZREM', old .. ':retired', id)
end
if ARGV[8] == '' then
  redis.call('SADD', KEYS[4], id)
  redis.call('ZREM', KEYS[5], id)
else
  redis.call('ZADD', KEYS[5], ARGV[8], id)
  redis.call('SREM', KEYS[4], id)
end
redis.call('HSET', KEYS[3], id, KEYS[4])
keep_job(KEYS[6], KEYS[7], KEYS[8], ARGV[4], ARGV[5])
keep_job(KEYS[6], KEYS[7], KEYS[8], ARGV[6], ARGV[7])
return {1}
`)

// prospectsOfOwnersScript returns the JSON of the prospects of the given
// owners: one rep's pipeline, or a team's (a digest reads its team's deals,
// not the workspace's). Each owner gives two keys: the set of their open
// prospects (and of any saved retired before retired ones had a set of their
// own), and their retired ones scored by when they retired, of which only
// those scored ARGV[1] or later are read ('-inf' for all). It returns {JSON
// from the owners' sets, JSON from their retired sets}, so the store can
// move a retired one it finds in the first to the second. HMGET goes in
// chunks: unpack is limited by Lua's stack.
var prospectsOfOwnersScript = redis.NewScript(`
-- KEYS[1]           {p}:t:<team>:p                     hash id → prospect JSON
-- KEYS[2k], [2k+1]  {p}:t:<team>:owner:<user>          set of the owner's open ids
--                   {p}:t:<team>:owner:<user>:retired  zset retired id → retired ms
-- ARGV[1]           the earliest retired ms to read, '-inf' for all
local chunk = 500
local function read(ids, out)
  for i = 1, #ids, chunk do
    local records = redis.call('HMGET', KEYS[1], unpack(ids, i, math.min(i + chunk - 1, #ids)))
    for _, r in ipairs(records) do
      if r then out[#out + 1] = r end
    end
  end
end
local open, retired = {}, {}
for k = 2, #KEYS, 2 do
  read(redis.call('SMEMBERS', KEYS[k]), open)
  read(redis.call('ZRANGEBYSCORE', KEYS[k + 1], ARGV[1], '+inf'), retired)
end
return {open, retired}
`)

// indexRetiredScript moves retired prospects found in their owner's set of
// open ones (saved before retired ones had a set of their own) to the
// owner's retired set, each only if it is still at the version read and
// still that owner's: a save in between has indexed it already. It returns
// how many it moved.
var indexRetiredScript = redis.NewScript(`
-- KEYS[1]             {p}:t:<team>:v                     hash id → version
-- KEYS[2]             {p}:t:<team>:o                     hash id → owner set key
-- KEYS[2i+1], [2i+2]  {p}:t:<team>:owner:<user>          the i-th prospect's owner set
--                     {p}:t:<team>:owner:<user>:retired  and retired set
-- ARGV[3i-2 .. 3i]    the i-th prospect's id, version read, retired ms
local moved = 0
for i = 1, #ARGV / 3 do
  local id, version, at = ARGV[3 * i - 2], ARGV[3 * i - 1], ARGV[3 * i]
  local set, retired = KEYS[2 * i + 1], KEYS[2 * i + 2]
  if redis.call('HGET', KEYS[1], id) == version and redis.call('HGET', KEYS[2], id) == set then
    redis.call('SREM', set, id)
    redis.call('ZADD', retired, at, id)
    moved = moved + 1
  end
end
return moved
`)

// claimScript puts jobs whose lease has ended back among the due ones, then
// leases the earliest due ones. Both steps are range reads bounded by max, so
// the cost grows with what is due, not with what is pending. It returns
// {job, due ms, job, due ms, …}.
var claimScript = redis.NewScript(`
-- KEYS[1] {p}:jobs:due     zset job → due ms
-- KEYS[2] {p}:jobs:leased  zset job → lease end ms
-- KEYS[3] {p}:jobs:at      hash job → due ms
-- ARGV[1] now ms
-- ARGV[2] lease end ms (now + lease)
-- ARGV[3] max jobs
local ended = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[3])
for _, job in ipairs(ended) do
  redis.call('ZREM', KEYS[2], job)
  redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], job) or ARGV[1], job)
end
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[3])
for i = 1, #due, 2 do
  redis.call('ZREM', KEYS[1], due[i])
  redis.call('ZADD', KEYS[2], ARGV[2], due[i])
end
return due
`)

// scheduleScript adds or moves a job; see keepJob.
var scheduleScript = redis.NewScript(`
-- KEYS[1] {p}:jobs:due     zset job → due ms
-- KEYS[2] {p}:jobs:leased  zset job → lease end ms
-- KEYS[3] {p}:jobs:at      hash job → due ms
-- ARGV[1] job key
-- ARGV[2] due ms
` + keepJob + `
keep_job(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
return 1
`)

// doneScript removes jobs, claimed or not.
var doneScript = redis.NewScript(`
-- KEYS[1] {p}:jobs:due     zset job → due ms
-- KEYS[2] {p}:jobs:leased  zset job → lease end ms
-- KEYS[3] {p}:jobs:at      hash job → due ms
-- ARGV[1..n] job keys
for _, job in ipairs(ARGV) do
  redis.call('ZREM', KEYS[1], job)
  redis.call('ZREM', KEYS[2], job)
  redis.call('HDEL', KEYS[3], job)
end
return 1
`)

// releaseScript ends the leases of claimed jobs: each is due again at its
// own due time, which has passed, so it is due at once and keeps its place
// in the order. Jobs not claimed are left alone.
var releaseScript = redis.NewScript(`
-- KEYS[1] {p}:jobs:due     zset job → due ms
-- KEYS[2] {p}:jobs:leased  zset job → lease end ms
-- KEYS[3] {p}:jobs:at      hash job → due ms
-- ARGV[1..n] job keys
for _, job in ipairs(ARGV) do
  if redis.call('ZREM', KEYS[2], job) == 1 then
    redis.call('ZADD', KEYS[1], redis.call('HGET', KEYS[3], job) or 0, job)
  end
end
return 1
`)

// reserveScript stores a value unless the key holds one. It returns {1} when
// stored, {0, existing value} otherwise. (SET NX GET does this in one command
// only from Redis 7.0.)
var reserveScript = redis.NewScript(`
-- KEYS[1] {p}:ledger:<key>  string
-- ARGV[1] value
-- ARGV[2] ttl ms, '' for none
local existing = redis.call('GET', KEYS[1])
if existing then return {0, existing} end
if ARGV[2] == '' then
  redis.call('SET', KEYS[1], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return {1}
`)

// swapScript stores a ledger value, whatever was there, and returns what
// was: {} for nothing, {old} otherwise.
var swapScript = redis.NewScript(`
-- KEYS[1] {p}:ledger:<key>  string
-- ARGV[1] value
-- ARGV[2] ttl ms, '' for none
local old = redis.call('GET', KEYS[1])
if ARGV[2] == '' then
  redis.call('SET', KEYS[1], ARGV[1])
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if old then return {old} end
return {}
`)

// saveTeamScript writes a team over the version it was read at and keeps
// the rep → manager index in step. It returns {'ok'}, {'conflict', stored
// version} or {'taken', rep, manager} (a rep on another team); nothing is
// written unless ok.
var saveTeamScript = redis.NewScript(`
-- KEYS[1] {p}:t:<team>:teams  hash manager → team JSON
-- KEYS[2] {p}:t:<team>:tv     hash manager → version
-- KEYS[3] {p}:t:<team>:rm     hash rep → manager
-- ARGV[1] manager id
-- ARGV[2] new version
-- ARGV[3] team JSON
-- ARGV[4..] the team's reps
local stored = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if stored ~= tonumber(ARGV[2]) - 1 then
  return {'conflict', tostring(stored)}
end
for i = 4, #ARGV do
  local m = redis.call('HGET', KEYS[3], ARGV[i])
  if m and m ~= ARGV[1] then
    return {'taken', ARGV[i], m}
  end
end
local old = redis.call('HGET', KEYS[1], ARGV[1])
if old then
  local keep = {}
  for i = 4, #ARGV do keep[ARGV[i]] = true end
  local reps = cjson.decode(old).reps
  if type(reps) == 'table' then
    for _, r in ipairs(reps) do
      if not keep[r] and redis.call('HGET', KEYS[3], r) == ARGV[1] then
        redis.call('HDEL', KEYS[3], r)
      end
    end
  end
end
for i = 4, #ARGV do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[1])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return {'ok'}
`)

// teamOfScript returns the team a user manages, else their manager's team,
// else false.
var teamOfScript = redis.NewScript(`
-- KEYS[1] {p}:t:<team>:teams  hash manager → team JSON
-- KEYS[2] {p}:t:<team>:rm     hash rep → manager
-- ARGV[1] user id
local own = redis.call('HGET', KEYS[1], ARGV[1])
if own then return own end
local manager = redis.call('HGET', KEYS[2], ARGV[1])
if not manager then return false end
return redis.call('HGET', KEYS[1], manager)
`)
