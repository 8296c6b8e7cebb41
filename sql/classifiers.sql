-- title_seniority and email_kind: the classifiers fit scoring builds on.
\pset null '(null)'

SELECT title, leadscore.title_seniority(title) AS seniority
FROM (VALUES ('SVP, Revenue'), ('Co-Founder & CEO'), ('Head of Growth'),
             ('Sr. Mgr, Demand Gen'), ('Chief Revenue Officer'), ('VP/GM EMEA'),
             ('Marketing Intern'), ('Student'), ('Vice President, Sales'),
             ('Executive Assistant to the CEO'), ('Partner Marketing Manager'),
             ('Senior Data Engineer'), (''), (NULL)) AS t(title);

SELECT email, leadscore.email_kind(email) AS kind
FROM (VALUES ('dora@umbrella.com'), ('Dora.Smith@GMAIL.com'), ('ana@mit.edu'),
             ('ana@student.ox.ac.uk'), ('info@acme.com'), ('sales+emea@acme.com'),
             ('not an email'), ('ana@acme'), ('ana@@acme.com'), (''), (NULL)) AS t(email);

-- Huge and binary-looking input is classified, never an error.
SELECT leadscore.title_seniority(repeat('Chief ', 100000)) AS huge_title,
       leadscore.email_kind(repeat('a', 100000) || '@acme.com') AS huge_email,
       leadscore.email_kind(E'ana\x01@acme.com') AS control_char_email,
       leadscore.title_seniority('Directeur Général') AS accented_title;

-- Usable in a scan: count the kinds of a generated contact list.
SELECT leadscore.email_kind(format('%s@%s', 'user' || i,
           (ARRAY['acme.com', 'gmail.com', 'mit.edu', 'yahoo.co.uk'])[1 + i % 4])) AS kind,
       count(*)
FROM generate_series(1, 1000) AS i GROUP BY 1 ORDER BY 1;
