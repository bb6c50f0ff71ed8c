-- A duplicated (neutralized) database must never reach production Altinn as the company.
-- Every company talks to the test environment (tt02) ...
UPDATE res_company
   SET altinn_environment = 'test'
 WHERE altinn_environment IS DISTINCT FROM 'test';

-- ... and no stored system password is left, neither the companies' (Selskap level) nor the
-- accounting firms' (Klient level). A Settings administrator enters test passwords again.
UPDATE res_company
   SET altinn_system_password = NULL
 WHERE altinn_system_password IS NOT NULL;

UPDATE res_partner
   SET altinn_system_password = NULL
 WHERE altinn_system_password IS NOT NULL;

-- Altinn 3: the production Maskinporten client's secrets (private key, its password) go as well; a
-- test client (tt02) keeps working in the copy.
UPDATE altinn_maskinporten_client
   SET private_key_pem = NULL,
       key_password = NULL
 WHERE environment = 'production'
   AND (private_key_pem IS NOT NULL OR key_password IS NOT NULL);
