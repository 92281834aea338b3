"""The composed message's own layer, below everything that reads messages.

`compose` turns the schedule's sends into `Message`s (texts rendered per group), `replies` the
reply sets (welcome, keyword replies, FAQ), `media` the files a message carries, `routes` how
each goes out, `cues` what an operator must do beside the text, and `labels` the weekday names
every human format uses. The exporters, the handbook, review, lint and delivery import from
here and never from one another; `bundle/` keeps only the export and agenda commands.
"""
