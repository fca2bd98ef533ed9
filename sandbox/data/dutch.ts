/** Word lists for a plausible Dutch shop. Written for this project; no external data set. */

export const FIRST_NAMES_F = [
  'Anna', 'Emma', 'Sophie', 'Julia', 'Lotte', 'Sanne', 'Fleur', 'Lisa', 'Eva', 'Noor', 'Iris', 'Femke', 'Marieke',
  'Ingrid', 'Petra', 'Wilma', 'Annelies', 'Yvonne', 'Esther', 'Hanneke', 'Saskia', 'Mila', 'Tess', 'Zoë', 'Fatima',
  'Ayşe', 'Chantal', 'Renée', 'Loïs', 'Inge',
];
export const FIRST_NAMES_M = [
  'Jan', 'Pieter', 'Daan', 'Sem', 'Lucas', 'Bram', 'Thijs', 'Ruben', 'Jeroen', 'Sander', 'Bas', 'Kees', 'Henk',
  'Willem', 'Joost', 'Maarten', 'Gert-Jan', 'Erik', 'Mohamed', 'Mehmet', 'Stijn', 'Niels', 'Tim', 'Koen', 'Wouter',
  'Hendrik', 'Jaap', 'Floris', 'Joël', 'Teun',
];
export const PREFIXES = ['', '', '', '', '', 'van', 'de', 'van der', 'van den', 'van de', 'ter', 'in \'t', 'de la'];
export const LAST_NAMES = [
  'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Mulder', 'Bos', 'Vos', 'Peters', 'Hendriks', 'Dijkstra',
  'Berg', 'Dijk', 'Leeuwen', 'Brink', 'Kok', 'Vermeulen', 'Willems', 'Hoekstra', 'Koster', 'Prins', 'Huisman',
  'Postma', 'Kuipers', 'Wijk', 'Heuvel', 'Graaf', 'Boer', 'Yılmaz', 'El Amrani', 'Schouten', 'Timmermans',
  'Groen', 'Brouwer', 'Veenstra', 'Wit', 'Kramer', 'Maas', 'Verhoeven', 'Sluijter',
];

export const STREETS = [
  'Kerkstraat', 'Dorpsstraat', 'Molenweg', 'Schoolstraat', 'Stationsweg', 'Julianastraat', 'Wilhelminastraat',
  'Beatrixlaan', 'Nieuwstraat', 'Markt', 'Kastanjelaan', 'Lindelaan', 'Eikenlaan', 'Prinsengracht', 'Herengracht',
  'Oudegracht', 'Voorstraat', 'Achterweg', 'Burgemeester de Withstraat', 'Van Goghstraat', 'Rembrandtplein',
  'Hoofdstraat', 'Zuiderzeeweg', 'Parallelweg', 'Industrieweg', 'Handelsweg', 'Sint Jansstraat', 'Tulpstraat',
  'Rozenstraat', 'Emmalaan', 'Het Rond', 'Bloemendaalseweg', 'Korte Poten', '2e Hugo de Grootstraat',
];
export const HOUSE_SUFFIXES: readonly (readonly [string, number])[] = [
  ['', 70], ['A', 8], ['B', 5], ['C', 1], ['bis', 1], ['-1', 3], ['-2', 2], ['hs', 3], ['I', 2], ['II', 1], ['zw', 1],
  ['rd', 1], ['bg', 1], ['-14', 1],
];

/** City, 4-digit postcode range, province. */
export const CITIES: readonly (readonly [string, number, number, string])[] = [
  ['Amsterdam', 1011, 1109, 'Noord-Holland'], ['Haarlem', 2011, 2037, 'Noord-Holland'],
  ['Rotterdam', 3011, 3089, 'Zuid-Holland'], ['Den Haag', 2491, 2599, 'Zuid-Holland'],
  ['Leiden', 2311, 2334, 'Zuid-Holland'], ['Utrecht', 3511, 3585, 'Utrecht'], ['Amersfoort', 3811, 3829, 'Utrecht'],
  ['Eindhoven', 5611, 5658, 'Noord-Brabant'], ['Tilburg', 5011, 5049, 'Noord-Brabant'],
  ['\'s-Hertogenbosch', 5211, 5236, 'Noord-Brabant'], ['Breda', 4811, 4839, 'Noord-Brabant'],
  ['Groningen', 9711, 9747, 'Groningen'], ['Leeuwarden', 8911, 8939, 'Friesland'], ['Zwolle', 8011, 8047, 'Overijssel'],
  ['Enschede', 7511, 7548, 'Overijssel'], ['Arnhem', 6811, 6846, 'Gelderland'], ['Nijmegen', 6511, 6546, 'Gelderland'],
  ['Apeldoorn', 7311, 7339, 'Gelderland'], ['Maastricht', 6211, 6229, 'Limburg'], ['Venlo', 5911, 5928, 'Limburg'],
  ['Middelburg', 4331, 4339, 'Zeeland'], ['Almere', 1311, 1363, 'Flevoland'], ['Assen', 9401, 9409, 'Drenthe'],
  ['Den Burg', 1791, 1791, 'Noord-Holland'],
];

export const COUNTRIES_FOREIGN: readonly (readonly [string, string, string, string])[] = [
  // country, code, city, postcode sample pattern
  ['België', 'BE', 'Antwerpen', '2000'], ['België', 'BE', 'Gent', '9000'], ['Duitsland', 'DE', 'Kleve', '47533'],
  ['Duitsland', 'DE', 'Aachen', '52062'],
];

export const EMAIL_DOMAINS = ['gmail.com', 'hotmail.com', 'outlook.com', 'ziggo.nl', 'kpnmail.nl', 'xs4all.nl', 'live.nl', 'icloud.com'];

export const COMPANY_WORDS = [
  'Bouwbedrijf', 'Installatiebedrijf', 'Bloemenhandel', 'Kantoorvakhandel', 'Fietsenmakerij', 'Kapsalon',
  'Bakkerij', 'Architectenbureau', 'Schildersbedrijf', 'Hoveniersbedrijf', 'Adviesbureau', 'Sportschool',
];
export const COMPANY_FORMS = ['B.V.', 'V.O.F.', '', 'Holding B.V.', 'en Zn.'];

/** Catalog: category tree (root -> children) with product nouns and which option sets fit. */
export interface CatalogLeaf {
  name: string;
  nouns: readonly string[];
  options: readonly ('kleur' | 'maat' | 'schoenmaat' | 'materiaal' | 'lengte' | 'inhoud' | 'pasvorm')[];
  tariff: 'normal' | 'low a';
  price: readonly [number, number];
  unit: string;
  weight: readonly [number, number];
}
export interface CatalogRoot { name: string; children: readonly CatalogLeaf[] }

export const CATALOG: readonly CatalogRoot[] = [
  {
    name: 'Kleding',
    children: [
      { name: 'Heren', nouns: ['T-shirt', 'Polo', 'Overhemd', 'Trui', 'Hoodie', 'Jas', 'Chino', 'Jeans'], options: ['kleur', 'maat', 'pasvorm', 'lengte'], tariff: 'normal', price: [14, 149], unit: 'stuk', weight: [0.15, 1.2] },
      { name: 'Dames', nouns: ['Blouse', 'Jurk', 'Rok', 'Vest', 'Top', 'Broek', 'Jas', 'Cardigan'], options: ['kleur', 'maat', 'materiaal'], tariff: 'normal', price: [12, 169], unit: 'stuk', weight: [0.1, 1.1] },
      { name: 'Kinderen', nouns: ['Rompertje', 'Pyjama', 'Regenjas', 'Sweater', 'Legging'], options: ['kleur', 'maat'], tariff: 'normal', price: [7, 59], unit: 'stuk', weight: [0.05, 0.6] },
    ],
  },
  {
    name: 'Schoenen',
    children: [
      { name: 'Sneakers', nouns: ['Sneaker', 'Hardloopschoen', 'Canvas schoen'], options: ['kleur', 'schoenmaat'], tariff: 'normal', price: [39, 179], unit: 'paar', weight: [0.6, 1.2] },
      { name: 'Laarzen', nouns: ['Enkellaars', 'Regenlaars', 'Werklaars'], options: ['kleur', 'schoenmaat', 'materiaal'], tariff: 'normal', price: [49, 229], unit: 'paar', weight: [0.9, 2.2] },
    ],
  },
  {
    name: 'Accessoires',
    children: [
      { name: 'Tassen', nouns: ['Rugzak', 'Schoudertas', 'Shopper', 'Laptoptas', 'Heuptas'], options: ['kleur', 'inhoud'], tariff: 'normal', price: [19, 199], unit: 'stuk', weight: [0.3, 1.5] },
      { name: 'Riemen', nouns: ['Riem', 'Bretels'], options: ['kleur', 'lengte'], tariff: 'normal', price: [15, 79], unit: 'stuk', weight: [0.1, 0.4] },
      { name: 'Sokken', nouns: ['Sokken 3-pack', 'Sneakersokken', 'Wollen sokken'], options: ['kleur', 'schoenmaat'], tariff: 'normal', price: [5, 25], unit: 'pak', weight: [0.05, 0.2] },
    ],
  },
  {
    name: 'Wonen',
    children: [
      { name: 'Keuken', nouns: ['Koekenpan', 'Snijplank', 'Theedoek', 'Koffiemok', 'Broodtrommel', 'Schort'], options: ['kleur', 'materiaal'], tariff: 'normal', price: [4, 89], unit: 'stuk', weight: [0.1, 2.5] },
      { name: 'Woontextiel', nouns: ['Plaid', 'Kussenhoes', 'Dekbedovertrek', 'Badlaken', 'Vloerkleed'], options: ['kleur', 'maat', 'materiaal'], tariff: 'normal', price: [12, 249], unit: 'stuk', weight: [0.2, 4] },
      { name: 'Verlichting', nouns: ['Tafellamp', 'Hanglamp', 'LED-lamp', 'Lichtsnoer'], options: ['kleur'], tariff: 'normal', price: [6, 199], unit: 'stuk', weight: [0.1, 3] },
    ],
  },
  {
    name: 'Boeken & Media',
    children: [
      { name: 'Kookboeken', nouns: ['Kookboek', 'Bakboek', 'Receptenboek'], options: [], tariff: 'low a', price: [15, 45], unit: 'stuk', weight: [0.4, 1.4] },
      { name: 'Kinderboeken', nouns: ['Prentenboek', 'Voorleesboek', 'Kleurboek'], options: [], tariff: 'low a', price: [7, 25], unit: 'stuk', weight: [0.2, 0.8] },
    ],
  },
  {
    name: 'Delicatessen',
    children: [
      { name: 'Koffie & Thee', nouns: ['Koffiebonen', 'Losse thee', 'Espresso capsules', 'Rooibos'], options: ['inhoud'], tariff: 'low a', price: [3, 29], unit: 'pak', weight: [0.1, 1] },
      { name: 'Zoetwaren', nouns: ['Stroopwafels', 'Drop', 'Chocoladereep', 'Pepernoten'], options: [], tariff: 'low a', price: [2, 15], unit: 'zak', weight: [0.1, 0.6] },
    ],
  },
];

export const ADJECTIVES = [
  'Basic', 'Classic', 'Comfort', 'Urban', 'Vintage', 'Nordic', 'Sport', 'Premium', 'Eco', 'Soft', 'Stoer', 'Zomer',
  'Winter', 'Lichtgewicht', 'Robuust', 'Duurzaam', 'Retro', 'Modern',
];
export const BRANDS = [
  'Dutch Basics', 'Polderwear', 'Hollandsche Waar', 'Noordzee Goods', 'Van Gils Studio', 'Tulp & Co', 'Grachtengoed',
  'Molenaar', 'Duinlicht', 'Zeeuws Meisje Home',
];

export const OPTION_VALUES: Record<string, { name: string; type: 'option_menu' | 'option_menu_required'; values: readonly (readonly [string, number])[] }> = {
  kleur: { name: 'Kleur', type: 'option_menu_required', values: [['Zwart', 0], ['Wit', 0], ['Navy', 0], ['Rood', 0], ['Groen', 0], ['Oker', 0], ['Grijs gemêleerd', 0], ['Roze', 0], ['Beige', 0], ['Blauw', 0]] },
  maat: { name: 'Maat', type: 'option_menu_required', values: [['XS', 0], ['S', 0], ['M', 0], ['L', 0], ['XL', 0], ['XXL', 2], ['3XL', 3]] },
  schoenmaat: { name: 'Schoenmaat', type: 'option_menu_required', values: [['36', 0], ['37', 0], ['38', 0], ['39', 0], ['40', 0], ['41', 0], ['42', 0], ['43', 0], ['44', 0], ['45', 0], ['46', 5]] },
  materiaal: { name: 'Materiaal', type: 'option_menu', values: [['Katoen', 0], ['Biologisch katoen', 4], ['Linnen', 6], ['Wol', 10], ['Leer', 20], ['Gerecycled polyester', 0]] },
  lengte: { name: 'Lengte', type: 'option_menu', values: [['30', 0], ['32', 0], ['34', 0], ['36', 2]] },
  inhoud: { name: 'Inhoud', type: 'option_menu_required', values: [['250 g', 0], ['500 g', 4.5], ['1 kg', 9], ['10 L', 0], ['20 L', 10], ['30 L', 20]] },
  pasvorm: { name: 'Pasvorm', type: 'option_menu', values: [['Regular fit', 0], ['Slim fit', 0], ['Relaxed fit', 0]] },
};

/** Abbreviations used to build variant SKUs. */
export function valueCode(value: string): string {
  const clean = value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  if (/^\d+$/.test(clean)) return clean;
  return clean.slice(0, 3);
}

export const COUNTRIES_OF_ORIGIN = ['NL', 'NL', 'NL', 'PT', 'TR', 'IN', 'BD', 'CN', 'IT', 'DE', 'BE', 'VN'];
export const PRODUCT_TYPES = ['Nieuw', 'Tweedehands', 'Refurbished', 'Handgemaakt', 'Limited edition'];
export const MATERIAL_TEXT = ['100% katoen', '95% katoen, 5% elastaan', 'Gerecycled polyester', 'Merinowol', 'Rundleer', 'Bamboe', 'RVS', 'Glas', 'Eikenhout'];
export const CARE_TEXT = ['Wassen op 30 graden', 'Niet in de droger', 'Handwas', 'Vaatwasserbestendig', 'Alleen stomen'];
