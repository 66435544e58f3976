//! The Lua scripts of the token protocol: each is one atomic step on the two
//! keys of one account (same hash tag, so one cluster slot).

use redis::Script;
use std::sync::LazyLock;

/// KEYS: token, lock. ARGV: fingerprint of a stale token (or ""), lock value,
/// lock lifetime in ms.
///
/// The stored token unless it is the stale one (then deleted, once: only while
/// it is still stored); else the lock, if free. Answers `T<value>`, `L` (this
/// caller holds the lock: fetch, then [`PUT`]) or `W` (another instance is
/// fetching: wait, then ask again).
pub(super) static TAKE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local v = redis.call('GET', KEYS[1])
if v then
  if ARGV[1] ~= '' and string.sub(v, 1, 64) == ARGV[1] then
    redis.call('DEL', KEYS[1])
  else
    return 'T' .. v
  end
end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then
  return 'L'
end
return 'W'
",
    )
});

/// KEYS: token, lock. ARGV: value, its lifetime in ms (0: do not store), lock
/// value. Stores the token and releases the lock if this caller still holds it.
pub(super) static PUT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if tonumber(ARGV[2]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
if redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('DEL', KEYS[2])
end
return 1
",
    )
});

/// KEYS: lock. ARGV: lock value. Releases the lock if this caller still holds it
/// (compare-and-delete: a lock that expired and was taken by another instance is
/// left alone).
pub(super) static RELEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
",
    )
});
