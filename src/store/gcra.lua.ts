/**
 * GCRA in Lua, the same arithmetic as gcra() in window-store.ts, as a
 * fragment other scripts embed (the hot path counts the budget with it inside
 * its one script). Expects locals `now` (ms), `gcra_key`, `gcra_limit`,
 * `gcra_window`; leaves `gcra_allowed` (1/0), `gcra_remaining`, `gcra_retry`,
 * `gcra_reset`. Two commands: GET, and SET PX when the call counts.
 */
export const GCRA_LUA = `
local gcra_interval = gcra_window / gcra_limit
local gcra_tat = tonumber(redis.call('GET', gcra_key) or '0')
if gcra_tat < now then gcra_tat = now end
local gcra_next = gcra_tat + gcra_interval
local gcra_allow_at = gcra_next - gcra_window
local gcra_allowed, gcra_remaining, gcra_retry, gcra_reset
if now < gcra_allow_at then
  gcra_allowed, gcra_remaining, gcra_retry, gcra_reset = 0, 0, gcra_allow_at - now, gcra_tat - now
else
  redis.call('SET', gcra_key, string.format('%.3f', gcra_next), 'PX', math.max(1, math.ceil(gcra_next - now)))
  gcra_allowed = 1
  gcra_remaining = math.floor((gcra_window - (gcra_next - now)) / gcra_interval + 1e-9)
  gcra_retry, gcra_reset = 0, gcra_next - now
end
`;

/** The store's clock in ms, as a Lua local `now`: every instance counts against the same time. */
export const NOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;
