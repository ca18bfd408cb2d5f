-- Commands of the Gene plugin; require('gene').setup() starts the language server.
if vim.g.loaded_gene_plugin then
  return
end
vim.g.loaded_gene_plugin = true

vim.api.nvim_create_user_command('GeneRun', function()
  require('gene.run').run(0)
end, { desc = 'Run the Gene file in the language server; output in [Gene Run]' })

vim.api.nvim_create_user_command('GeneStop', function()
  require('gene.run').stop()
end, { desc = 'Stop the running Gene program' })

vim.api.nvim_create_user_command('GeneTasks', function()
  require('gene.tasks').show()
end, { desc = 'Show the tasks of the running Gene program in [Gene Tasks]' })

vim.api.nvim_create_user_command('GeneRestart', function()
  require('gene').restart()
end, { desc = 'Restart the Gene language server' })

vim.api.nvim_create_user_command('GeneTest', function()
  require('gene.test').run(0)
end, { desc = 'Run the tests of the Gene file (gene test); failures in the quickfix list' })

vim.api.nvim_create_user_command('GeneTestNearest', function()
  require('gene.test').run_nearest(0)
end, { desc = 'Run the Gene test or describe group at or above the cursor' })

-- The server's test code lenses ("▶ Run test", "Debug test", "Run file tests") name these.
require('gene.test').register_lens_commands()
