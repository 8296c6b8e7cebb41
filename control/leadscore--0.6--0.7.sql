-- leadscore 0.7: fixes of defects found in review of 0.6 (issue 15).
\echo Use "ALTER EXTENSION leadscore UPDATE TO '0.7'" to load this file. \quit
