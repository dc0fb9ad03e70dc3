/* Who a synthetic firm is: its name, credit code, legal representative,
 * phone and address, in a real county-level division of Zhejiang, Jiangsu
 * or Guangdong (GB/T 2260 codes). Names are put together from parts: a
 * city, a two-character trade name and an industry word for an enterprise
 * ("杭州宏达机械制造有限公司"); the district and the owner's surname for an
 * individual business ("西湖区王记面馆"). */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "synth_int.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct region {
  const char *code, *province, *city, *district;
  int weight; /* share of firms, by the size of the local economy */
} regions[] = {
    {"330106", "浙江省", "杭州市", "西湖区", 6},
    {"330108", "浙江省", "杭州市", "滨江区", 5},
    {"330110", "浙江省", "杭州市", "余杭区", 6},
    {"330203", "浙江省", "宁波市", "海曙区", 4},
    {"330302", "浙江省", "温州市", "鹿城区", 4},
    {"330782", "浙江省", "金华市", "义乌市", 6},
    {"331002", "浙江省", "台州市", "椒江区", 3},
    {"320102", "江苏省", "南京市", "玄武区", 4},
    {"320211", "江苏省", "无锡市", "滨湖区", 4},
    {"320505", "江苏省", "苏州市", "虎丘区", 5},
    {"320506", "江苏省", "苏州市", "吴中区", 5},
    {"320582", "江苏省", "苏州市", "张家港市", 3},
    {"320412", "江苏省", "常州市", "武进区", 4},
    {"440106", "广东省", "广州市", "天河区", 6},
    {"440103", "广东省", "广州市", "荔湾区", 4},
    {"440304", "广东省", "深圳市", "福田区", 5},
    {"440305", "广东省", "深圳市", "南山区", 6},
    {"440306", "广东省", "深圳市", "宝安区", 6},
    {"441900", "广东省", "东莞市", "", 6},
    {"440604", "广东省", "佛山市", "禅城区", 4},
    {"442000", "广东省", "中山市", "", 3},
};

static const char *const trade_names[] = {
    "宏达", "鑫源", "恒通", "华盛", "瑞丰", "永兴", "金诚", "新禾",
    "佳和", "博远", "智联", "云帆", "盛世", "东升", "天成", "嘉禾",
    "福瑞", "顺发", "德益", "锦程", "万利", "泰和", "润达", "联创"};

/* Per industry: enterprise words, then individual business words. */
static const char *const trade_words[SP_SYNTH_INDUSTRIES][2][3] = {
    {{"机械制造", "五金制品", "塑料制品"},
     {"五金加工厂", "模具加工部", "包装加工厂"}},
    {{"商贸", "贸易", "建材"}, {"百货店", "建材经营部", "日用品商行"}},
    {{"餐饮管理", "食品", "餐饮服务"}, {"面馆", "小吃店", "快餐店"}},
    {{"农业科技", "生态农业", "农产品"}, {"家庭农场", "果蔬种植场", "养殖场"}},
    {{"信息技术", "网络科技", "软件"},
     {"电脑服务部", "网络工作室", "软件工作室"}},
    {{"跨境电子商务", "进出口", "国际贸易"},
     {"网店", "电商工作室", "外贸商行"}},
};

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄",
                                       "赵", "吴", "周", "徐", "孙", "马", "朱",
                                       "胡", "郭", "何", "林", "高", "罗"};
static const char *const given_male[] = {"伟",   "强",   "磊",   "军",  "洋",
                                         "勇",   "杰",   "涛",   "明",  "超",
                                         "建国", "志强", "海峰", "文斌"};
static const char *const given_female[] = {"芳",   "娜",   "敏",   "静",  "丽",
                                           "艳",   "娟",   "霞",   "婷",  "雪",
                                           "秀英", "晓燕", "丽华", "梦瑶"};
static const char *const roads[] = {
    "人民路",   "解放路", "中山路",   "建设路", "学院路", "工业园路",
    "科技大道", "新华路", "环城北路", "东方路", "文化路", "滨江大道"};

/* The USCC alphabet without the letters that look like digits. */
static const char code_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static void make_credit_code(sp__synth_rng *rng, const char *region,
                             int sole_proprietor, char *out) {
  char code[19];
  memcpy(code, sole_proprietor ? "92" : "91", 2);
  memcpy(code + 2, region, 6);
  /* Organisation codes assigned since 2015 begin "MA". */
  code[8] = 'M';
  code[9] = 'A';
  for (int i = 10; i < 16; i++)
    code[i] = code_chars[sp__synth_below(rng, sizeof code_chars - 1)];
  code[16] = sp_synth_org_code_check(code + 8);
  code[17] = sp_synth_credit_code_check(code);
  code[18] = '\0';
  assert(code[16] != 0 && code[17] != 0);
  memcpy(out, code, sizeof code);
}

static void make_legal_rep(sp__synth_rng *rng, sp_synth_firm *firm,
                           const char **surname) {
  *surname = surnames[sp__synth_below(rng, N(surnames))];
  const char *given = firm->legal_rep_gender == 'F'
                          ? given_female[sp__synth_below(rng, N(given_female))]
                          : given_male[sp__synth_below(rng, N(given_male))];
  snprintf(firm->legal_rep, sizeof firm->legal_rep, "%s%s", *surname, given);
}

static void make_phone(sp__synth_rng *rng, char *out) {
  static const char *const prefixes[] = {"13", "15", "18"};
  memcpy(out, prefixes[sp__synth_below(rng, 3)], 2);
  for (int i = 2; i < 11; i++)
    out[i] = (char)('0' + sp__synth_below(rng, 10));
  out[11] = '\0';
}

void sp__synth_identity(sp__synth_rng *rng, sp_synth_firm *firm) {
  int weights[N(regions)];
  for (int i = 0; i < N(regions); i++)
    weights[i] = regions[i].weight;
  const struct region *r = &regions[sp__synth_pick(rng, weights, N(regions))];
  memcpy(firm->region, r->code, 7);
  make_credit_code(rng, r->code, firm->sole_proprietor, firm->credit_code);
  const char *surname;
  make_legal_rep(rng, firm, &surname);
  make_phone(rng, firm->phone);
  const char *word = trade_words[firm->industry][firm->sole_proprietor]
                                [sp__synth_below(rng, 3)];
  const char *city = r->city;
  size_t city_len = strlen(city) - strlen("市"); /* "杭州市" -> "杭州" */
  if (firm->sole_proprietor)
    snprintf(firm->name, sizeof firm->name, "%s%s%s记%s", city,
             r->district[0] ? r->district : "", surname, word);
  else
    snprintf(firm->name, sizeof firm->name, "%.*s%s%s有限公司", (int)city_len,
             city, trade_names[sp__synth_below(rng, N(trade_names))], word);
  snprintf(firm->address, sizeof firm->address, "%s%s%s%s%u号", r->province,
           city, r->district, roads[sp__synth_below(rng, N(roads))],
           1 + sp__synth_below(rng, 999));
}
