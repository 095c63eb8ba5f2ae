-- Driven by test/editors/neovim.test.ts: Neovim's own LSP client (vim.lsp.start_client) against
-- `fang lsp --stdio`, headless. Opens each file named in FANG_NVIM_FILES, waits for Neovim's
-- diagnostics, asks for a hover and the code actions at the first error, applies the
-- "Suppress ... on this line" action with Neovim's own workspace-edit code, waits for the
-- diagnostics that follow, and writes what it saw as JSON to FANG_NVIM_OUT.
local out_path = os.getenv('FANG_NVIM_OUT')
local files = vim.split(os.getenv('FANG_NVIM_FILES'), ':', { plain = true })
local result = { files = {}, errors = {} }

local function finish(code)
  local f = io.open(out_path, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd((code == 0) and 'qall!' or 'cquit!')
end

local ok, err = pcall(function()
  local raw = {}
  local handlers = {
    ['textDocument/publishDiagnostics'] = function(e, params, ctx, config)
      raw[params.uri] = raw[params.uri] or {}
      table.insert(raw[params.uri], params)
      return vim.lsp.diagnostic.on_publish_diagnostics(e, params, ctx, config)
    end,
  }
  local client_id = vim.lsp.start_client({
    name = 'fang',
    cmd = { os.getenv('FANG_NODE'), os.getenv('FANG_BIN'), 'lsp', '--stdio' },
    root_dir = os.getenv('FANG_ROOT'),
    workspace_folders = { { uri = vim.uri_from_fname(os.getenv('FANG_ROOT')), name = 'ws' } },
    handlers = handlers,
    on_exit = function(code) result.exit_code = code end,
  })
  assert(client_id, 'vim.lsp.start_client failed')
  result.client_id = client_id

  for _, file in ipairs(files) do
    local entry = { file = file }
    table.insert(result.files, entry)
    vim.cmd('edit ' .. vim.fn.fnameescape(file))
    local bufnr = vim.api.nvim_get_current_buf()
    entry.filetype = vim.bo[bufnr].filetype
    vim.lsp.buf_attach_client(bufnr, client_id)
    local uri = vim.uri_from_bufnr(bufnr)
    local function published() return raw[uri] and raw[uri][#raw[uri]] end
    local got = vim.wait(20000, function()
      local p = published()
      return p ~= nil and #p.diagnostics > 0
    end, 20)
    entry.waited = got
    if not got then error('no diagnostics for ' .. file) end
    entry.published = published().diagnostics
    -- What Neovim itself made of them (vim.diagnostic): line, severity, source, code.
    entry.nvim = {}
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      table.insert(entry.nvim, { lnum = d.lnum, col = d.col, severity = d.severity, source = d.source, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code), message = d.message })
    end
    local client = vim.lsp.get_client_by_id(client_id)
    -- The first error: hover there, then its code actions.
    local target
    for _, d in ipairs(entry.published) do
      if d.severity == 1 and (target == nil or d.range.start.line > target.range.start.line) then target = d end
    end
    if not target then error('no error diagnostic in ' .. file) end
    entry.target = target
    vim.api.nvim_win_set_cursor(0, { target.range.start.line + 1, target.range.start.character })
    local hover = client.request_sync('textDocument/hover', vim.lsp.util.make_position_params(0, client.offset_encoding), 10000, bufnr)
    entry.hover = hover and hover.result
    local actions = client.request_sync('textDocument/codeAction', {
      textDocument = { uri = uri },
      range = target.range,
      context = { diagnostics = { target } },
    }, 20000, bufnr)
    entry.actions = {}
    local chosen
    for _, a in ipairs((actions and actions.result) or {}) do
      table.insert(entry.actions, a.title)
      if a.title:match('^Suppress .* on this line$') then chosen = a end
    end
    if chosen then
      local count = #raw[uri]
      vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
      entry.applied = chosen.title
      entry.line_after = vim.api.nvim_buf_get_lines(bufnr, target.range.start.line, target.range.start.line + 1, false)[1]
      vim.wait(20000, function() return #raw[uri] > count end, 20)
      entry.after = published().diagnostics
    end
  end
  vim.lsp.stop_client(client_id)
  vim.wait(5000, function() return result.exit_code ~= nil end, 20)
end)
if not ok then table.insert(result.errors, tostring(err)) end
finish(ok and 0 or 1)
