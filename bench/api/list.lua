-- bench/api/list.lua — wrk request generator: a county clerk's member-list page, 20 members a
-- page, rotating over realistic filter combinations and the first pages (each request is one
-- of these; wrk -s bench/api/list.lua). ORG is the county's id, passed as the environment
-- variable ZG_ORG.
local org = os.getenv("ZG_ORG")
local paths = {
  "/api/v1/members?org_id=" .. org .. "&page_size=20",
  "/api/v1/members?org_id=" .. org .. "&gender=2&page_size=20",
  "/api/v1/members?org_id=" .. org .. "&status=probationary&page_size=20",
  "/api/v1/members?org_id=" .. org .. "&education=undergrad&age_band=31_35&page_size=20",
  "/api/v1/members?org_id=" .. org .. "&join_period=since_2012&sort=-joined_on&page_size=20",
  "/api/v1/members?org_id=" .. org .. "&q=%E6%A8%A1%E6%8B%9F%E5%85%9A%E5%91%98123&page_size=20",
  "/api/v1/members?org_id=" .. org .. "&page=5&page_size=20",
  "/api/v1/members?org_id=" .. org .. "&occupation=farmer&sort=name&page_size=20",
}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
