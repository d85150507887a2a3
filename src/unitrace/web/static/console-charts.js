/* The console charts (drawn from the figures in each page); see docs/console-assets.md. */
