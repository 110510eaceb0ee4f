Route #1: 49 145 66 13 36 33 96
Route #2: 106 136
Route #3: 128 146 111
Route #4: 105 40
Route #5: 140 121 124
Route #6: 16 74 108
Route #7: 20 80 119 48 52
Route #8: 65 144 131
Route #9: 8 3 12 117
Route #10: 4 60 51
Route #11: 72 58 43
Route #12: 22 55 27
Route #13: 78 41 94
Route #14: 11 63 24 9 50 45
Route #15: 113 35
Route #16: 123 91 79 92
Route #17: 127 77 109 62
Route #18: 142 70 112 17
Route #19: 99
Route #20: 38 69 29 25
Route #21: 15 90 116
Route #22: 31 135 115 100
Route #23: 7 81 120
Route #24: 147 141 133 19
Route #25: 97 132
Route #26: 137 110 85
Route #27: 114 102 138 64
Route #28: 104 32 82
Route #29: 18 75
Route #30: 87 95
Route #31: 59 1
Route #32: 88 44
Route #33: 56 30
Route #34: 101 103 6 125 37
Route #35: 93 21
Route #36: 83 76 143
Route #37: 129 10 54 68
Route #38: 126 53 73
Route #39: 46 47 23
Route #40: 39 89
Route #41: 139 34
Route #42: 28 5 71
Route #43: 14 61 67 98
Route #44: 42 134 84
Route #45: 2 122 86
Route #46: 107 118
Route #47: 57 130 26
Cost 43448
