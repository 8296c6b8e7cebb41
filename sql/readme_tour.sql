-- The README's ten-minute tour, run as a user pastes it into psql: the one
-- SQL block of its "A ten-minute tour" section, in a database of its own
-- (it begins with CREATE EXTENSION). A tour that stops working fails here.
\! sed -n '/^## A ten-minute tour/,/^## Documentation/p' README.md | sed -n '/^```sql$/,/^```$/p' | sed '1d;$d' > results/readme_tour_input.sql
DROP DATABASE IF EXISTS leadscore_tour;
CREATE DATABASE leadscore_tour;
\c leadscore_tour
\i results/readme_tour_input.sql
\c contrib_regression
DROP DATABASE leadscore_tour;
